#!/usr/bin/env bash
# compat/jspack: packed JavaScript in HTML, clamscan and vigil side by
# side. ClamAV's JavaScript normaliser (libclamav jsparse/js-norm.c)
# decodes Dean Edwards' packer (an anonymous or named function whose
# parameters start p,a,c, (measured): the arguments of its call are
# replaced by the decoded script) and scriptasylum's dF('...') (the call
# is removed, the decoded script appended after the script's closing tag);
# the normalised script is matched by signatures of targets 3 and 7.
# Pages from tests/lib/jspack.py: each marker phrase shows only in the
# decoded script; a packer with parameters p,a,x,... is not decoded.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"

python3 "$VIGIL_SRC/tests/lib/jspack.py" pages || fail "pages not generated"
mv pages/jspack.ndb .

compat_run -d jspack.ndb -r pages
compare_all "packed scripts"
compat_run -d jspack.ndb --allmatch -r pages
compare_all "packed scripts --allmatch"
for s in DeAnon DeR DeNamed DeLong DfOne DfTwo Six DfThree DePacx; do
    assert_contains "$s: decoded and matched" "$V_OUT" "$s.T3.UNOFFICIAL FOUND"
done
assert_contains "the text view too (target 7)" "$V_OUT" "de-anon.html: DeAnon.T7.UNOFFICIAL FOUND"
assert_not_contains "p,a,x,k,e,d is no packer" "$V_OUT" "DeNot"
compat_run -d jspack.ndb --scan-html=no -r pages
compare_all "--scan-html=no"
finish
