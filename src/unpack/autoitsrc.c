/* autoitsrc.c - a compiled AutoIt EA06 script back to text, as clamscan
 * 1.4.6 writes it before scanning it (libclamav autoit.c ea06(); the token
 * layout is AutoIt's, the spelling of the text clamscan's):
 *   - the stream starts with a 32-bit line count; tokens follow until that
 *     many end-of-line tokens were seen or the stream ends;
 *   - 0x00 keyword and 0x01 function: a 32-bit index into the tables below,
 *     written upper-case followed by a space (an index past a table ends
 *     the text);
 *   - 0x05 a 32-bit integer ("0x%08x "), 0x10 a 64-bit one ("0x%016lx ",
 *     its low word added as signed), 0x20 a double ("%g ");
 *   - 0x30..0x37 (construct, command, macro, variable, function, object,
 *     string, directive): a 32-bit count of UTF-16 units, each XORed with
 *     the count; written after a prefix ('@' macro, '$' variable, '.'
 *     object, '"' string), as clamscan's u2a() makes it
 *     8-bit (the low bytes when it looks like UTF-16, else the first
 *     count bytes as they are), then a closing '"' for a string and a space
 *     for all but a function;
 *   - 0x40..0x58 operators, each followed by a space; 0x7f a line end.
 * Any other token, or a token whose operands do not fit (clamscan's bounds,
 * kept exactly: an operand must leave at least one byte after it), ends
 * the text, which is kept. Limits: the text is at most `max` bytes; every
 * read is bounds-checked; each token consumes input. */
#include "unpack/autoitsrc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unpack/autoitdec.h"

/* clang-format off */
static const char *const au_functions[] = {
    "ABS", "ACOS", "ADLIBREGISTER", "ADLIBUNREGISTER", "ASC", "ASCW", "ASIN", "ASSIGN",
    "ATAN", "AUTOITSETOPTION", "AUTOITWINGETTITLE", "AUTOITWINSETTITLE", "BEEP",
    "BINARY", "BINARYLEN", "BINARYMID", "BINARYTOSTRING", "BITAND", "BITNOT", "BITOR",
    "BITROTATE", "BITSHIFT", "BITXOR", "BLOCKINPUT", "BREAK", "CALL", "CDTRAY",
    "CEILING", "CHR", "CHRW", "CLIPGET", "CLIPPUT", "CONSOLEREAD", "CONSOLEWRITE",
    "CONSOLEWRITEERROR", "CONTROLCLICK", "CONTROLCOMMAND", "CONTROLDISABLE",
    "CONTROLENABLE", "CONTROLFOCUS", "CONTROLGETFOCUS", "CONTROLGETHANDLE",
    "CONTROLGETPOS", "CONTROLGETTEXT", "CONTROLHIDE", "CONTROLLISTVIEW", "CONTROLMOVE",
    "CONTROLSEND", "CONTROLSETTEXT", "CONTROLSHOW", "CONTROLTREEVIEW", "COS", "DEC",
    "DIRCOPY", "DIRCREATE", "DIRGETSIZE", "DIRMOVE", "DIRREMOVE", "DLLCALL",
    "DLLCALLADDRESS", "DLLCALLBACKFREE", "DLLCALLBACKGETPTR", "DLLCALLBACKREGISTER",
    "DLLCLOSE", "DLLOPEN", "DLLSTRUCTCREATE", "DLLSTRUCTGETDATA", "DLLSTRUCTGETPTR",
    "DLLSTRUCTGETSIZE", "DLLSTRUCTSETDATA", "DRIVEGETDRIVE", "DRIVEGETFILESYSTEM",
    "DRIVEGETLABEL", "DRIVEGETSERIAL", "DRIVEGETTYPE", "DRIVEMAPADD", "DRIVEMAPDEL",
    "DRIVEMAPGET", "DRIVESETLABEL", "DRIVESPACEFREE", "DRIVESPACETOTAL", "DRIVESTATUS",
    "ENVGET", "ENVSET", "ENVUPDATE", "EVAL", "EXECUTE", "EXP", "FILECHANGEDIR",
    "UNKNOWN_89", "FILECLOSE", "FILECOPY", "FILECREATENTFSLINK", "FILECREATESHORTCUT",
    "FILEDELETE", "FILEEXISTS", "FILEFINDFIRSTFILE", "FILEFINDNEXTFILE", "FILEFLUSH",
    "FILEGETATTRIB", "FILEGETENCODING", "FILEGETLONGNAME", "FILEGETPOS",
    "FILEGETSHORTCUT", "FILEGETSHORTNAME", "FILEGETSIZE", "FILEGETTIME",
    "FILEGETVERSION", "FILEINSTALL", "FILEMOVE", "FILEOPEN", "FILEOPENDIALOG",
    "FILEREAD", "FILEREADLINE", "FILEREADTOARRAY", "FILERECYCLE", "FILERECYCLEEMPTY",
    "FILESAVEDIALOG", "FILESELECTFOLDER", "FILESETATTRIB", "FILESETEND", "FILESETPOS",
    "FILESETTIME", "FILEWRITE", "FILEWRITELINE", "FLOOR", "FTPSETPROXY", "FUNCNAME",
    "GUICREATE", "GUICTRLCREATEAVI", "GUICTRLCREATEBUTTON", "GUICTRLCREATECHECKBOX",
    "GUICTRLCREATECOMBO", "GUICTRLCREATECONTEXTMENU", "GUICTRLCREATEDATE",
    "GUICTRLCREATEDUMMY", "GUICTRLCREATEEDIT", "GUICTRLCREATEGRAPHIC",
    "GUICTRLCREATEGROUP", "GUICTRLCREATEICON", "GUICTRLCREATEINPUT",
    "GUICTRLCREATELABEL", "GUICTRLCREATELIST", "GUICTRLCREATELISTVIEW",
    "GUICTRLCREATELISTVIEWITEM", "GUICTRLCREATEMENU", "GUICTRLCREATEMENUITEM",
    "GUICTRLCREATEMONTHCAL", "GUICTRLCREATEOBJ", "GUICTRLCREATEPIC",
    "GUICTRLCREATEPROGRESS", "GUICTRLCREATERADIO", "GUICTRLCREATESLIDER",
    "GUICTRLCREATETAB", "GUICTRLCREATETABITEM", "GUICTRLCREATETREEVIEW",
    "GUICTRLCREATETREEVIEWITEM", "GUICTRLCREATEUPDOWN", "GUICTRLDELETE",
    "GUICTRLGETHANDLE", "GUICTRLGETSTATE", "GUICTRLREAD", "GUICTRLRECVMSG",
    "GUICTRLREGISTERLISTVIEWSORT", "GUICTRLSENDMSG", "GUICTRLSENDTODUMMY",
    "GUICTRLSETBKCOLOR", "GUICTRLSETCOLOR", "GUICTRLSETCURSOR", "GUICTRLSETDATA",
    "GUICTRLSETDEFBKCOLOR", "GUICTRLSETDEFCOLOR", "GUICTRLSETFONT", "GUICTRLSETGRAPHIC",
    "GUICTRLSETIMAGE", "GUICTRLSETLIMIT", "GUICTRLSETONEVENT", "GUICTRLSETPOS",
    "GUICTRLSETRESIZING", "GUICTRLSETSTATE", "GUICTRLSETSTYLE", "GUICTRLSETTIP",
    "GUIDELETE", "GUIGETCURSORINFO", "GUIGETMSG", "GUIGETSTYLE", "GUIREGISTERMSG",
    "GUISETACCELERATORS", "GUISETBKCOLOR", "GUISETCOORD", "GUISETCURSOR", "GUISETFONT",
    "GUISETHELP", "GUISETICON", "GUISETONEVENT", "GUISETSTATE", "GUISETSTYLE",
    "GUISTARTGROUP", "GUISWITCH", "HEX", "HOTKEYSET", "HTTPSETPROXY",
    "HTTPSETUSERAGENT", "HWND", "INETCLOSE", "INETGET", "INETGETINFO", "INETGETSIZE",
    "INETREAD", "INIDELETE", "INIREAD", "INIREADSECTION", "INIREADSECTIONNAMES",
    "INIRENAMESECTION", "INIWRITE", "INIWRITESECTION", "INPUTBOX", "INT", "ISADMIN",
    "ISARRAY", "ISBINARY", "ISBOOL", "ISDECLARED", "ISDLLSTRUCT", "ISFLOAT", "ISFUNC",
    "ISHWND", "ISINT", "ISKEYWORD", "UNKNOWN_229", "ISNUMBER", "ISOBJ", "ISPTR",
    "ISSTRING", "LOG", "MEMGETSTATS", "UNKNOWN_235", "UNKNOWN_236", "UNKNOWN_237",
    "UNKNOWN_238", "MOD", "MOUSECLICK", "MOUSECLICKDRAG", "MOUSEDOWN", "MOUSEGETCURSOR",
    "MOUSEGETPOS", "MOUSEMOVE", "MOUSEUP", "MOUSEWHEEL", "MSGBOX", "NUMBER",
    "OBJCREATE", "OBJCREATEINTERFACE", "OBJEVENT", "OBJGET", "OBJNAME",
    "ONAUTOITEXITREGISTER", "ONAUTOITEXITUNREGISTER", "OPT", "PING", "PIXELCHECKSUM",
    "PIXELGETCOLOR", "PIXELSEARCH", "PROCESSCLOSE", "PROCESSEXISTS", "PROCESSGETSTATS",
    "PROCESSLIST", "PROCESSSETPRIORITY", "PROCESSWAIT", "PROCESSWAITCLOSE",
    "PROGRESSOFF", "PROGRESSON", "PROGRESSSET", "PTR", "RANDOM", "REGDELETE",
    "REGENUMKEY", "REGENUMVAL", "REGREAD", "REGWRITE", "ROUND", "RUN", "RUNAS",
    "RUNASWAIT", "RUNWAIT", "SEND", "SENDKEEPACTIVE", "SETERROR", "SETEXTENDED",
    "SHELLEXECUTE", "SHELLEXECUTEWAIT", "SHUTDOWN", "SIN", "SLEEP", "SOUNDPLAY",
    "SOUNDSETWAVEVOLUME", "SPLASHIMAGEON", "SPLASHOFF", "SPLASHTEXTON", "SQRT",
    "SRANDOM", "STATUSBARGETTEXT", "STDERRREAD", "STDINWRITE", "STDIOCLOSE",
    "STDOUTREAD", "STRING", "STRINGADDCR", "STRINGCOMPARE", "STRINGFORMAT",
    "STRINGFROMASCIIARRAY", "STRINGINSTR", "STRINGISALNUM", "STRINGISALPHA",
    "STRINGISASCII", "STRINGISDIGIT", "STRINGISFLOAT", "STRINGISINT", "STRINGISLOWER",
    "STRINGISSPACE", "STRINGISUPPER", "STRINGISXDIGIT", "STRINGLEFT", "STRINGLEN",
    "STRINGLOWER", "STRINGMID", "STRINGREGEXP", "STRINGREGEXPREPLACE", "STRINGREPLACE",
    "STRINGREVERSE", "STRINGRIGHT", "STRINGSPLIT", "STRINGSTRIPCR", "STRINGSTRIPWS",
    "STRINGTOASCIIARRAY", "STRINGTOBINARY", "STRINGTRIMLEFT", "STRINGTRIMRIGHT",
    "STRINGUPPER", "TAN", "TCPACCEPT", "TCPCLOSESOCKET", "TCPCONNECT", "TCPLISTEN",
    "TCPNAMETOIP", "TCPRECV", "TCPSEND", "TCPSHUTDOWN,", "TCPSTARTUP,", "TIMERDIFF",
    "TIMERINIT", "TOOLTIP", "TRAYCREATEITEM", "TRAYCREATEMENU", "TRAYGETMSG",
    "TRAYITEMDELETE", "TRAYITEMGETHANDLE", "TRAYITEMGETSTATE", "TRAYITEMGETTEXT",
    "TRAYITEMSETONEVENT", "TRAYITEMSETSTATE", "TRAYITEMSETTEXT", "TRAYSETCLICK",
    "TRAYSETICON", "TRAYSETONEVENT", "TRAYSETPAUSEICON", "TRAYSETSTATE",
    "TRAYSETTOOLTIP", "TRAYTIP", "UBOUND", "UDPBIND", "UDPCLOSESOCKET", "UDPOPEN",
    "UDPRECV", "UDPSEND", "UNKNOWN_375", "UNKNOWN_376", "VARGETTYPE", "WINACTIVATE",
    "WINACTIVE", "WINCLOSE", "WINEXISTS", "WINFLASH", "WINGETCARETPOS",
    "WINGETCLASSLIST", "WINGETCLIENTSIZE", "WINGETHANDLE", "WINGETPOS", "WINGETPROCESS",
    "WINGETSTATE", "WINGETTEXT", "WINGETTITLE", "WINKILL", "WINLIST",
    "WINMENUSELECTITEM", "WINMINIMIZEALL", "WINMINIMIZEALLUNDO", "WINMOVE",
    "WINSETONTOP", "WINSETSTATE", "WINSETTITLE", "WINSETTRANS", "WINWAIT",
    "WINWAITACTIVE", "WINWAITCLOSE", "WINWAITNOTACTIVE",
};

static const char *const au_keywords[] = {
    "UNKNOWN_0", "AND", "OR", "NOT", "IF", "THEN", "ELSE", "ELSEIF", "ENDIF", "WHILE",
    "WEND", "DO", "UNTIL", "FOR", "NEXT", "TO", "STEP", "IN", "EXITLOOP",
    "CONTINUELOOP", "SELECT", "CASE", "ENDSELECT", "SWITCH", "ENDSWITCH",
    "CONTINUECASE", "DIM", "REDIM", "LOCAL", "GLOBAL", "CONST", "STATIC", "FUNC",
    "ENDFUNC", "RETURN", "EXIT", "BYREF", "WITH", "ENDWITH", "TRUE", "FALSE", "DEFAULT",
    "NULL", "UNKNOWN_43", "ENUM",
};
/* clang-format on */

/* clamscan 1.4.6 writes no prefix for a directive (measured: "#include"
 * comes out as "include"). */
static const char au_prefix[8] = {0, 0, '@', '$', 0, '.', '"', 0};
static const char *const au_opers[] = {
    ",", "=", ">", "<",  "<>", ">=", "<=", "(",  ")",  "+",  "-", "/", "*",
    "&", "[", "]", "==", "^",  "+=", "-=", "/=", "*=", "&=", "?", ":"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

/* clamscan's u2a() on s[0..len), in place; returns the new length. */
static size_t au_u2a(uint8_t *s, size_t len)
{
    uint8_t *src = s, *dst = s;
    size_t i, j;

    if (len < 2)
        return len;
    if (len > 4 && src[0] == 0xff && src[1] == 0xfe && src[2]) {
        len -= 2;
        src += 2;
    } else {
        size_t cnt = 0;
        j = len > 20 ? 20 : (len & ~(size_t)1);
        for (i = 0; i < j; i += 2)
            cnt += src[i] != 0 && src[i + 1] == 0;
        if (cnt * 4 < j)
            return len;
    }
    j = len;
    len >>= 1;
    for (i = 0; i < j; i += 2)
        *dst++ = src[i];
    return len;
}

int autoit_ea06_is_script(const uint8_t *enc, uint32_t chars)
{
    static const char mark[] = ">>>AUTOIT SCRIPT<<<";
    uint8_t b[38];

    if (chars != 19)
        return 0;
    memcpy(b, enc, sizeof b);
    autoit_lame_decrypt(b, sizeof b, chars + 0xb33f);
    au_u2a(b, sizeof b);
    return memcmp(b, mark, 19) == 0;
}

/* The text being written. */
struct au_out {
    uint8_t *p;
    size_t len, cap, max;
    int full;
};

static int au_put(struct au_out *o, const void *s, size_t n)
{
    if (n > o->max - o->len) {
        o->full = 1;
        return -1;
    }
    if (o->len + n > o->cap) {
        size_t cap = o->cap ? o->cap : 4096;
        uint8_t *p;
        while (cap < o->len + n)
            cap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
        if (cap > o->max)
            cap = o->max;
        if (!(p = realloc(o->p, cap)))
            return -2;
        o->p = p;
        o->cap = cap;
    }
    memcpy(o->p + o->len, s, n);
    o->len += n;
    return 0;
}

/* One string token at tok[at..) with `chars` units; returns the input
 * consumed, 0 when it does not fit (-1 on no memory via *rc). */
static size_t au_string(struct au_out *o, uint8_t op, const uint8_t *tok, size_t len,
                        size_t at, int *rc)
{
    uint32_t chars = le32(tok + at), dchars = chars * 2u; /* wraps as clamscan's */
    uint8_t *tmp = NULL;
    char c;

    at += 4;
    if (len < dchars || at >= len - dchars || chars > dchars)
        return 0; /* chars > dchars: the count wrapped (clamscan reads past) */
    if (au_prefix[op - 0x30] && (*rc = au_put(o, &au_prefix[op - 0x30], 1)) != 0)
        return 0;
    if (chars) {
        if (!(tmp = malloc(dchars))) {
            *rc = -2;
            return 0;
        }
        memcpy(tmp, tok + at, dchars);
        for (uint32_t i = 0; i < dchars; i += 2) {
            tmp[i] ^= (uint8_t)chars;
            tmp[i + 1] ^= (uint8_t)(chars >> 8);
        }
        au_u2a(tmp, dchars);
        *rc = au_put(o, tmp, chars);
        free(tmp);
        if (*rc)
            return 0;
    }
    if (op == 0x36 && (*rc = au_put(o, "\"", 1)) != 0)
        return 0;
    c = ' ';
    if (op != 0x34 && (*rc = au_put(o, &c, 1)) != 0)
        return 0;
    return 4 + (size_t)dchars;
}

vigil_status autoit_ea06_text(const uint8_t *tok, size_t len, size_t max, uint8_t **out,
                              size_t *out_len, int *damaged, int *cut)
{
    struct au_out o = {NULL, 0, 0, max, 0};
    uint32_t lines;
    size_t at = 4;
    int rc = 0;

    *out = NULL;
    *out_len = 0;
    *damaged = *cut = 0;
    if (len < 4)
        return VIGIL_OK;
    lines = le32(tok);
    while (lines && at < len && rc == 0) {
        uint8_t op = tok[at++];
        char num[48];
        size_t n = 0;

        switch (op) {
        case 0x00:
        case 0x01: {
            uint32_t id;
            const char *w;
            if (at >= len - 4) {
                rc = 1;
                break;
            }
            id = le32(tok + at);
            if (op == 0 ? id >= COUNT(au_keywords) : id >= COUNT(au_functions)) {
                rc = 1;
                break;
            }
            at += 4;
            w = op == 0 ? au_keywords[id] : au_functions[id];
            if ((rc = au_put(&o, w, strlen(w))) == 0)
                rc = au_put(&o, " ", 1);
            break;
        }
        case 0x05:
            if (at >= len - 4) {
                rc = 1;
                break;
            }
            n = (size_t)snprintf(num, sizeof num, "0x%08x ", (unsigned)le32(tok + at));
            at += 4;
            rc = au_put(&o, num, n);
            break;
        case 0x10:
        case 0x20: {
            uint64_t v;
            if (len < 8 || at >= len - 8) {
                rc = 1;
                break;
            }
            v = (uint64_t)le32(tok + at + 4) << 32 | le32(tok + at);
            if (op == 0x10) {
                /* clamscan adds the low word as a signed 32-bit value */
                uint64_t w =
                    (v & ~(uint64_t)0xffffffff) + (uint64_t)(int64_t)(int32_t)(uint32_t)v;
                n = (size_t)snprintf(num, sizeof num, "0x%016llx ",
                                     (unsigned long long)w);
            } else {
                double d;
                memcpy(&d, &v, sizeof d); /* the bits of an IEEE double */
                n = (size_t)snprintf(num, 39, "%g ", d);
                if (n > 38)
                    n = 38;
            }
            at += 8;
            rc = au_put(&o, num, n);
            break;
        }
        case 0x30:
        case 0x31:
        case 0x32:
        case 0x33:
        case 0x34:
        case 0x35:
        case 0x36:
        case 0x37: {
            size_t used;
            if (at >= len - 4) {
                rc = 1;
                break;
            }
            used = au_string(&o, op, tok, len, at, &rc);
            if (!used && !rc)
                rc = 1;
            at += used;
            break;
        }
        case 0x7f:
            lines--;
            rc = au_put(&o, "\n", 1);
            break;
        default:
            if (op >= 0x40 && op <= 0x58) {
                const char *s = au_opers[op - 0x40];
                if ((rc = au_put(&o, s, strlen(s))) == 0)
                    rc = au_put(&o, " ", 1);
            } else {
                rc = 1;
            }
        }
    }
    if (rc == -2) {
        free(o.p);
        return VIGIL_ENOMEM;
    }
    *damaged = rc == 1;
    *cut = o.full;
    *out = o.p;
    *out_len = o.len;
    return VIGIL_OK;
}
