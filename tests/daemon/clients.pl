#!/usr/bin/perl
# clients.pl SOCKET DIR - the Perl ClamAV::Client calls the daemon tests
# compare between clamd and vigild; one normalized line per call.
use strict;
use warnings;
use ClamAV::Client;

my ($sock, $dir) = @ARGV;
# A daemon that hangs up on a command it does not know must not kill us.
$SIG{PIPE} = 'IGNORE';

sub show {
    my ($name, $fn) = @_;
    my @r = eval { $fn->() };
    my $r = $@ ? "error: $@" : join(' | ', map { defined $_ ? $_ : 'undef' } @r);
    $r =~ s/ClamAV [^|\n]*/ClamAV <version>/g;
    $r =~ s/\Q$dir\E/\$DIR/g;
    $r =~ s/ at \S+ line \d+\.?\n?//g;
    $r =~ s/\n/\\n/g;
    print "$name -> $r\n";
}

my $c = ClamAV::Client->new(socket_name => $sock);
show('ping', sub { $c->ping });
show('version', sub { (split m{/}, $c->version)[0] });
for my $f (qw(eicar clean clam.exe nope tree)) {
    show("scan_path $f", sub { $c->scan_path("$dir/$f") });
    # A hash (path => name): its order is Perl's, so sort it.
    show("scan_path_complete $f", sub {
        my %r = $c->scan_path_complete("$dir/$f");
        map { ($_, $r{$_}) } sort keys %r;
    });
}
show('scan_scalar', sub { my $v = "hello"; $c->scan_scalar(\$v) });
show('reload', sub { $c->reload });
