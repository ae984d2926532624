#!/usr/bin/env python3
"""Self-check for redact_corpus3.tsv: format, counts, lengths, check digits.

The check-digit helpers here were written from the published specifications
(ISO 7064, ISO 13616, ISO 3779, ICAO 9303, BIP-13/173/350, the national
registries' own descriptions), not from the filter, and each is first tested
against examples printed in those specifications. Then every row whose kind
claims a check digit is verified: drop rows must carry a valid one, pass rows
(near-misses) must not. Run: python3 tests/data/redact_corpus3_check.py
"""
import base64
import hashlib
import os
import re
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "redact_corpus3.tsv")

# ---------------------------------------------------------------- digits


def digits(s):
    return [int(c) for c in s if c.isdigit()]


def luhn_ok(s):
    d = digits(s)
    total = 0
    for i, x in enumerate(reversed(d)):
        if i % 2 == 1:
            x *= 2
            if x > 9:
                x -= 9
        total += x
    return len(d) > 1 and total % 10 == 0


def luhn_digit(body):
    for c in "0123456789":
        if luhn_ok(body + c):
            return c
    raise AssertionError


def aba_ok(s):
    d = digits(s)
    if len(d) != 9:
        return False
    w = [3, 7, 1] * 3
    return sum(a * b for a, b in zip(d, w)) % 10 == 0


def iban_ok(s):
    s = s.replace(" ", "").upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", s):
        return False
    r = s[4:] + s[:4]
    n = "".join(str(int(c, 36)) for c in r)
    return int(n) % 97 == 1


def iban_make(country, bban):
    r = bban + country + "00"
    n = int("".join(str(int(c, 36)) for c in r))
    return "%s%02d%s" % (country, 98 - n % 97, bban)


_VD = [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
       [2, 3, 4, 0, 1, 7, 8, 9, 5, 6], [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
       [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
       [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
       [8, 7, 6, 5, 9, 3, 2, 1, 0, 4], [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]]
_VP = [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
       [5, 8, 0, 3, 7, 9, 6, 1, 4, 2], [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
       [9, 4, 5, 3, 1, 2, 6, 8, 7, 0], [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
       [2, 7, 9, 3, 8, 0, 6, 4, 1, 5], [7, 0, 4, 6, 9, 1, 3, 2, 5, 8]]


def verhoeff_ok(s):
    c = 0
    for i, x in enumerate(reversed(digits(s))):
        c = _VD[c][_VP[i % 8][x]]
    return c == 0


def verhoeff_digit(body):
    for c in "0123456789":
        if verhoeff_ok(body + c):
            return c
    raise AssertionError


def mod11_10_digit(body):
    """ISO 7064 MOD 11,10 (German Steuer-IdNr, Croatian OIB)."""
    p = 10
    for x in digits(body):
        s = (x + p) % 10 or 10
        p = (2 * s) % 11
    return str((11 - p) % 10)


# ------------------------------------------------------- national ids


def kr_rrn_ok(s):
    d = digits(s)
    if len(d) != 13:
        return False
    w = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5]
    return (11 - sum(a * b for a, b in zip(d, w)) % 11) % 10 == d[12]


def jp_mynumber_ok(s):
    d = digits(s)
    if len(d) != 12:
        return False
    body = d[:11][::-1]  # P1 is the digit just left of the check digit
    total = sum(p * ((n + 1) if n <= 6 else (n - 5))
                for n, p in enumerate(body, start=1))
    r = total % 11
    return d[11] == (0 if r <= 1 else 11 - r)


def cl_rut_dv(body):
    w = [2, 3, 4, 5, 6, 7]
    total = sum(x * w[i % 6] for i, x in enumerate(reversed(digits(body))))
    v = 11 - total % 11
    return {11: "0", 10: "K"}.get(v, str(v))


def cl_rut_ok(s):
    m = re.fullmatch(r"([\d.]+)-?([\dkK])", s)
    return bool(m) and cl_rut_dv(m.group(1)) == m.group(2).upper()


def za_id_ok(s):
    d = digits(s)
    return len(d) == 13 and luhn_ok(s)


def il_id_ok(s):
    d = digits(s)
    if not 5 <= len(d) <= 9:
        return False
    d = [0] * (9 - len(d)) + d
    total = 0
    for i, x in enumerate(d):
        x *= 1 + i % 2
        total += x - 9 if x > 9 else x
    return total % 10 == 0


def br_cpf_ok(s):
    d = digits(s)
    if len(d) != 11 or len(set(d)) == 1:
        return False
    for n in (9, 10):
        v = sum(x * (n + 1 - i) for i, x in enumerate(d[:n])) * 10 % 11 % 10
        if v != d[n]:
            return False
    return True


def in_aadhaar_ok(s):
    d = digits(s)
    return len(d) == 12 and d[0] >= 2 and verhoeff_ok(s)


def cn_ric_ok(s):
    s = s.upper().replace(" ", "")
    if not re.fullmatch(r"\d{17}[\dX]", s):
        return False
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(a) * b for a, b in zip(s, w)) % 11] == s[17]


def hkid_ok(s):
    m = re.fullmatch(r"([A-Z]{1,2})(\d{6})\(?([\dA])\)?", s)
    if not m:
        return False
    letters, num, chk = m.groups()
    vals = ([36] if len(letters) == 1 else []) + [ord(c) - 55 for c in letters]
    vals += [int(c) for c in num]
    total = sum(v * w for v, w in zip(vals, range(9, 1, -1)))
    c = (11 - total % 11) % 11
    return ("A" if c == 10 else str(c)) == chk


_TW = dict(zip("ABCDEFGHJKLMNPQRSTUVXYWZIO",
               range(10, 36)))


def tw_id_ok(s):
    if not re.fullmatch(r"[A-Z][12]\d{8}", s):
        return False
    n = _TW[s[0]]
    vals = [n // 10, n % 10] + [int(c) for c in s[1:]]
    w = [1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1]
    return sum(a * b for a, b in zip(vals, w)) % 10 == 0


def sg_nric_ok(s):
    m = re.fullmatch(r"([STFG])(\d{7})([A-Z])", s)
    if not m:
        return False
    p, num, chk = m.groups()
    total = sum(int(a) * b for a, b in zip(num, [2, 7, 6, 5, 4, 3, 2]))
    if p in "TG":
        total += 4
    table = "JZIHGFEDCBA" if p in "ST" else "XWUTRQPNMLK"
    return table[total % 11] == chk


def tr_tckn_ok(s):
    d = digits(s)
    if len(d) != 11 or d[0] == 0:
        return False
    d10 = ((sum(d[0:9:2]) * 7) - sum(d[1:8:2])) % 10
    return d10 == d[9] and sum(d[:10]) % 10 == d[10]


def pl_pesel_ok(s):
    d = digits(s)
    w = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3]
    return len(d) == 11 and (10 - sum(a * b for a, b in zip(d, w)) % 10) % 10 == d[10]


def se_pnr_ok(s):
    m = re.fullmatch(r"(?:\d\d)?(\d{6})[-+]?(\d{4})", s)
    return bool(m) and luhn_ok(m.group(1) + m.group(2))


def no_fnr_ok(s):
    d = digits(s)
    if len(d) != 11:
        return False
    w1 = [3, 7, 6, 1, 8, 9, 4, 5, 2]
    w2 = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]
    k1 = 11 - sum(a * b for a, b in zip(d, w1)) % 11
    k1 = 0 if k1 == 11 else k1
    k2 = 11 - sum(a * b for a, b in zip(d, w2)) % 11
    k2 = 0 if k2 == 11 else k2
    return k1 == d[9] and k2 == d[10]


def dk_cpr_ok(s):
    d = digits(s)
    w = [4, 3, 2, 7, 6, 5, 4, 3, 2, 1]
    return len(d) == 10 and sum(a * b for a, b in zip(d, w)) % 11 == 0


def fi_hetu_ok(s):
    m = re.fullmatch(r"(\d{6})[-+ABCDEFUVWXY](\d{3})([0-9A-Y])", s)
    return bool(m) and \
        "0123456789ABCDEFHJKLMNPRSTUVWXY"[int(m.group(1) + m.group(2)) % 31] == m.group(3)


def nl_bsn_ok(s):
    d = digits(s)
    if len(d) != 9:
        return False
    w = [9, 8, 7, 6, 5, 4, 3, 2, -1]
    return sum(a * b for a, b in zip(d, w)) % 11 == 0


def be_nn_ok(s):
    d = "".join(c for c in s if c.isdigit())
    if len(d) != 11:
        return False
    body, chk = int(d[:9]), int(d[9:])
    return 97 - body % 97 == chk or 97 - int("2" + d[:9]) % 97 == chk


def fr_nir_ok(s):
    d = "".join(c for c in s if c.isdigit())
    return len(d) == 15 and 97 - int(d[:13]) % 97 == int(d[13:])


def es_dni_ok(s):
    m = re.fullmatch(r"([XYZ]?)(\d{7,8})-?([A-Z])", s)
    if not m:
        return False
    n = int(str("XYZ".index(m.group(1))) + m.group(2) if m.group(1) else m.group(2))
    return "TRWAGMYFPDXBNJZSQVHLCKE"[n % 23] == m.group(3)


_CF_ODD = dict(zip("0123456789", [1, 0, 5, 7, 9, 13, 15, 17, 19, 21]))
_CF_ODD.update(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                   [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6,
                    8, 12, 14, 16, 10, 22, 25, 24, 23]))


def it_cf_char(body):
    total = 0
    for i, c in enumerate(body):
        if i % 2 == 0:
            total += _CF_ODD[c]
        else:
            total += int(c) if c.isdigit() else ord(c) - 65
    return chr(65 + total % 26)


def it_cf_ok(s):
    return bool(re.fullmatch(r"[A-Z0-9]{16}", s)) and it_cf_char(s[:15]) == s[15]


def pt_nif_ok(s):
    d = digits(s)
    if len(d) != 9:
        return False
    r = 11 - sum(a * b for a, b in zip(d, range(9, 1, -1))) % 11
    return (0 if r >= 10 else r) == d[8]


def de_steuerid_ok(s):
    d = "".join(c for c in s if c.isdigit())
    if len(d) != 11 or d[0] == "0":
        return False
    counts = sorted((d[:10].count(c) for c in set(d[:10])), reverse=True)
    if counts[0] not in (2, 3) or counts[1] != 1:
        return False
    return mod11_10_digit(d[:10]) == d[10]


def hr_oib_ok(s):
    d = "".join(c for c in s if c.isdigit())
    return len(d) == 11 and mod11_10_digit(d[:10]) == d[10]


def ean13_ok(s):
    d = digits(s)
    if len(d) != 13:
        return False
    total = sum(x * (1 if i % 2 == 0 else 3) for i, x in enumerate(d[:12]))
    return (10 - total % 10) % 10 == d[12]


def ch_ahv_ok(s):
    return "".join(c for c in s if c.isdigit()).startswith("756") and ean13_ok(s)


def ca_sin_ok(s):
    d = digits(s)
    return len(d) == 9 and d[0] not in (0, 8) and luhn_ok(s)


_CURP = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"


def mx_curp_digit(body):
    total = sum(_CURP.index(c) * (18 - i) for i, c in enumerate(body))
    return str((10 - total % 10) % 10)


def mx_curp_ok(s):
    return bool(re.fullmatch(r"[A-Z]{4}\d{6}[HMX][A-Z]{5}[A-Z0-9]\d", s)) and \
        mx_curp_digit(s[:17]) == s[17]


def au_tfn_ok(s):
    d = digits(s)
    w = [1, 4, 3, 7, 5, 8, 6, 9, 10]
    return len(d) == 9 and sum(a * b for a, b in zip(d, w)) % 11 == 0


def au_medicare_ok(s):
    d = digits(s)
    if len(d) not in (10, 11) or not 2 <= d[0] <= 6:
        return False
    w = [1, 3, 7, 9, 1, 3, 7, 9]
    return sum(a * b for a, b in zip(d[:8], w)) % 10 == d[8]


def nz_ird_ok(s):
    d = digits(s)
    if len(d) not in (8, 9):
        return False
    d = [0] * (9 - len(d)) + d
    for w in ([3, 2, 7, 6, 5, 4, 3, 2], [7, 4, 3, 2, 5, 2, 7, 6]):
        r = sum(a * b for a, b in zip(d[:8], w)) % 11
        c = 0 if r == 0 else 11 - r
        if c != 10:
            return c == d[8]
    return False


def ro_cnp_ok(s):
    d = digits(s)
    if len(d) != 13:
        return False
    r = sum(a * int(b) for a, b in zip(d, "279146358279")) % 11
    return (1 if r == 10 else r) == d[12]


def ee_ik_ok(s):
    d = digits(s)
    if len(d) != 11:
        return False
    for w in ([1, 2, 3, 4, 5, 6, 7, 8, 9, 1], [3, 4, 5, 6, 7, 8, 9, 1, 2, 3]):
        r = sum(a * b for a, b in zip(d, w)) % 11
        if r != 10:
            return r == d[10]
    return d[10] == 0


def th_id_ok(s):
    d = digits(s)
    if len(d) != 13:
        return False
    return (11 - sum(x * (13 - i) for i, x in enumerate(d[:12])) % 11) % 10 == d[12]


def at_svnr_ok(s):
    d = digits(s)
    if len(d) != 10:
        return False
    w = [3, 7, 9, 0, 5, 8, 4, 2, 1, 6]
    return sum(a * b for a, b in zip(d, w)) % 11 == d[3]


def ie_pps_ok(s):
    m = re.fullmatch(r"(\d{7})([A-W])([ABHW]?)", s)
    if not m:
        return False
    total = sum(int(a) * b for a, b in zip(m.group(1), range(8, 1, -1)))
    if m.group(3):
        total += 9 * (ord(m.group(3)) - 64)
    return "WABCDEFGHIJKLMNOPQRSTUV"[total % 23] == m.group(2)


def us_ssn_ok(s):
    d = "".join(c for c in s if c.isdigit())
    if len(d) != 9:
        return False
    a, g, n = int(d[:3]), int(d[3:5]), int(d[5:])
    return 0 < a < 900 and a != 666 and g > 0 and n > 0


def uk_nino_ok(s):
    s = s.replace(" ", "")
    m = re.fullmatch(r"([A-Z])([A-Z])\d{6}[A-D]", s)
    if not m:
        return False
    a, b = m.groups()
    return a not in "DFIQUV" and b not in "DFIOQUV" and \
        a + b not in ("BG", "GB", "NK", "KN", "TN", "NT", "ZZ")


def kz_iin_ok(s):
    d = digits(s)
    if len(d) != 12:
        return False
    for w in (list(range(1, 12)), [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]):
        r = sum(a * b for a, b in zip(d, w)) % 11
        if r != 10:
            return r == d[11]
    return False


# ------------------------------------------------------ other numbers


def nhs_ok(s):
    d = digits(s)
    if len(d) != 10:
        return False
    r = 11 - sum(x * (10 - i) for i, x in enumerate(d[:9])) % 11
    r = 0 if r == 11 else r
    return r != 10 and r == d[9]


def npi_ok(s):
    d = "".join(c for c in s if c.isdigit())
    return len(d) == 10 and luhn_ok("80840" + d)


def dea_ok(s):
    m = re.fullmatch(r"[A-Z][A-Z9](\d{7})", s)
    if not m:
        return False
    d = digits(m.group(1))
    return (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10 == d[6]


MBI_RE = re.compile(r"[1-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d-?"
                    r"[AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d-?"
                    r"[AC-HJKMNP-RT-Y]{2}\d\d")


def mbi_ok(s):
    return bool(MBI_RE.fullmatch(s))


_VIN_T = dict(zip("ABCDEFGHJKLMNPRSTUVWXYZ",
                  [1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 7, 9, 2, 3, 4, 5, 6, 7, 8, 9]))
_VIN_W = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]


def vin_digit(v):
    total = sum((int(c) if c.isdigit() else _VIN_T[c]) * w for c, w in zip(v, _VIN_W))
    r = total % 11
    return "X" if r == 10 else str(r)


def vin_ok(v):
    return bool(re.fullmatch(r"[A-HJ-NPR-Z0-9]{17}", v)) and vin_digit(v) == v[8]


def mrz_digit(field):
    w = [7, 3, 1]
    total = 0
    for i, c in enumerate(field):
        v = 0 if c == "<" else int(c) if c.isdigit() else ord(c) - 55
        total += v * w[i % 3]
    return str(total % 10)


def mrz_td3_line2_ok(line):
    if len(line) != 44:
        return False
    ok = (mrz_digit(line[0:9]) == line[9] and mrz_digit(line[13:19]) == line[19]
          and mrz_digit(line[21:27]) == line[27])
    opt = line[28:42]
    ok = ok and (mrz_digit(opt) == line[42] or (set(opt) == {"<"} and line[42] == "<"))
    composite = line[0:10] + line[13:20] + line[21:43]
    return ok and mrz_digit(composite) == line[43]


def clabe_ok(s):
    d = digits(s)
    w = [3, 7, 1] * 6
    return len(d) == 18 and (10 - sum(a * b for a, b in zip(d[:17], w)) % 10) % 10 == d[17]


_RIB_LETTERS = dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                        "12345678912345678923456789"))


def fr_rib_ok(s):
    """French RIB: bank(5) branch(5) account(11, letters allowed) key(2)."""
    m = re.fullmatch(r"(\d{5}) ?(\d{5}) ?([0-9A-Z]{11}) ?(\d{2})", s)
    if not m:
        return False
    bank, branch, account, key = m.groups()
    acc = "".join(_RIB_LETTERS.get(c, c) for c in account)
    return 97 - (89 * int(bank) + 15 * int(branch) + 3 * int(acc)) % 97 == int(key)


# ------------------------------------------------------------ crypto

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
XRP58 = "rpshnaf39wBUDNEGHJKLM4PQRST7VWXYZ2bcdeCg65jkm8oFqi1tuvAxyz"


def b58encode(b, alpha=B58):
    n = int.from_bytes(b, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = alpha[r] + out
    pad = len(b) - len(b.lstrip(b"\0"))
    return alpha[0] * pad + out


def b58decode(s, alpha=B58):
    n = 0
    for c in s:
        n = n * 58 + alpha.index(c)
    full = n.to_bytes((n.bit_length() + 7) // 8, "big")
    pad = len(s) - len(s.lstrip(alpha[0]))
    return b"\0" * pad + full


def sha256d(b):
    return hashlib.sha256(hashlib.sha256(b).digest()).digest()


def b58check_encode(payload, alpha=B58):
    return b58encode(payload + sha256d(payload)[:4], alpha)


def b58check_ok(s, alpha=B58):
    try:
        raw = b58decode(s, alpha)
    except ValueError:
        return False
    return len(raw) > 4 and sha256d(raw[:-4])[:4] == raw[-4:]


BECH = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _bech_polymod(values):
    gen = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3]
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1ffffff) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if (top >> i) & 1 else 0
    return chk


def _hrp_expand(hrp):
    return [ord(x) >> 5 for x in hrp] + [0] + [ord(x) & 31 for x in hrp]


def convertbits(data, frm, to, pad=True):
    acc = bits = 0
    out = []
    for v in data:
        acc = (acc << frm) | v
        bits += frm
        while bits >= to:
            bits -= to
            out.append((acc >> bits) & ((1 << to) - 1))
    if pad and bits:
        out.append((acc << (to - bits)) & ((1 << to) - 1))
    return out


BECH32, BECH32M = 1, 0x2bc830a3


def bech32_encode(hrp, data5, const=BECH32):
    pm = _bech_polymod(_hrp_expand(hrp) + data5 + [0] * 6) ^ const
    chk = [(pm >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(BECH[d] for d in data5 + chk)


def bech32_const(s):
    """The checksum constant the string verifies with (None if neither)."""
    s = s.lower()
    pos = s.rfind("1")
    if pos < 1 or any(c not in BECH for c in s[pos + 1:]):
        return None
    data = [BECH.index(c) for c in s[pos + 1:]]
    pm = _bech_polymod(_hrp_expand(s[:pos]) + data)
    return pm if pm in (BECH32, BECH32M) else None


def segwit_encode(hrp, ver, prog):
    return bech32_encode(hrp, [ver] + convertbits(prog, 8, 5),
                         BECH32 if ver == 0 else BECH32M)


def _cash_polymod(values):
    gen = [0x98f2bc8e61, 0x79b76d99e2, 0xf33e5fb3c4, 0xae2eabe2a8, 0x1e4f43e470]
    c = 1
    for d in values:
        c0 = c >> 35
        c = ((c & 0x07ffffffff) << 5) ^ d
        for i in range(5):
            if (c0 >> i) & 1:
                c ^= gen[i]
    return c ^ 1


def cashaddr_encode(prefix, vbyte, h):
    data = convertbits(bytes([vbyte]) + h, 8, 5)
    pm = _cash_polymod([ord(c) & 31 for c in prefix] + [0] + data + [0] * 8)
    chk = [(pm >> 5 * (7 - i)) & 31 for i in range(8)]
    return prefix + ":" + "".join(BECH[d] for d in data + chk)


def cashaddr_ok(s):
    prefix, _, rest = s.partition(":")
    if not rest or any(c not in BECH for c in rest):
        return False
    vals = [ord(c) & 31 for c in prefix] + [0] + [BECH.index(c) for c in rest]
    return _cash_polymod(vals) == 0


_RC = [0x0000000000000001, 0x0000000000008082, 0x800000000000808A,
       0x8000000080008000, 0x000000000000808B, 0x0000000080000001,
       0x8000000080008081, 0x8000000000008009, 0x000000000000008A,
       0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
       0x000000008000808B, 0x800000000000008B, 0x8000000000008089,
       0x8000000000008003, 0x8000000000008002, 0x8000000000000080,
       0x000000000000800A, 0x800000008000000A, 0x8000000080008081,
       0x8000000000008080, 0x0000000080000001, 0x8000000080008008]
_ROT = [[0, 36, 3, 41, 18], [1, 44, 10, 45, 2], [62, 6, 43, 15, 61],
        [28, 55, 25, 21, 56], [27, 20, 39, 8, 14]]
_M64 = (1 << 64) - 1


def _keccak_f(a):
    for rc in _RC:
        c = [a[x][0] ^ a[x][1] ^ a[x][2] ^ a[x][3] ^ a[x][4] for x in range(5)]
        d = [c[(x - 1) % 5] ^ (((c[(x + 1) % 5] << 1) | (c[(x + 1) % 5] >> 63)) & _M64)
             for x in range(5)]
        a = [[a[x][y] ^ d[x] for y in range(5)] for x in range(5)]
        b = [[0] * 5 for _ in range(5)]
        for x in range(5):
            for y in range(5):
                r = _ROT[x][y]
                v = a[x][y]
                b[y][(2 * x + 3 * y) % 5] = ((v << r) | (v >> (64 - r))) & _M64 if r else v
        a = [[b[x][y] ^ ((~b[(x + 1) % 5][y]) & b[(x + 2) % 5][y]) for y in range(5)]
             for x in range(5)]
        a[0][0] ^= rc
    return a


def keccak256(data):
    """Keccak-256 with the original 0x01 padding (Ethereum, Monero)."""
    rate = 136
    msg = bytearray(data) + b"\x01"
    while len(msg) % rate:
        msg.append(0)
    msg[-1] |= 0x80
    a = [[0] * 5 for _ in range(5)]
    for off in range(0, len(msg), rate):
        block = msg[off:off + rate]
        for i in range(rate // 8):
            x, y = i % 5, i // 5
            a[x][y] ^= int.from_bytes(block[8 * i:8 * i + 8], "little")
        a = _keccak_f(a)
    out = b""
    for i in range(4):
        out += a[i % 5][i // 5].to_bytes(8, "little")
    return out


def eip55(addr_hex):
    h = keccak256(addr_hex.lower().encode()).hex()
    return "0x" + "".join(c.upper() if c.isalpha() and int(h[i], 16) >= 8 else c
                          for i, c in enumerate(addr_hex.lower()))


def eth_ok(s):
    body = s[2:]
    if not re.fullmatch(r"0x[0-9a-fA-F]{40}", s):
        return False
    return body == body.lower() or body == body.upper() or eip55(body) == s


_XMR_FULL = 11
_XMR_SIZES = [0, 2, 3, 5, 6, 7, 9, 10, 11]


def xmr_b58(b):
    out = ""
    for i in range(0, len(b), 8):
        block = b[i:i + 8]
        n = int.from_bytes(block, "big")
        size = _XMR_SIZES[len(block)]
        s = ""
        while n:
            n, r = divmod(n, 58)
            s = B58[r] + s
        out += B58[0] * (size - len(s)) + s
    return out


def xmr_b58_decode(s):
    out = b""
    for i in range(0, len(s), 11):
        chunk = s[i:i + 11]
        n = 0
        for c in chunk:
            n = n * 58 + B58.index(c)
        out += n.to_bytes(_XMR_SIZES.index(len(chunk)), "big")
    return out


def xmr_ok(s):
    try:
        raw = xmr_b58_decode(s)
    except ValueError:
        return False
    return keccak256(raw[:-4])[:4] == raw[-4:]


def crc16_xmodem(b):
    crc = 0
    for byte in b:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xffff if crc & 0x8000 else (crc << 1) & 0xffff
    return crc


def stellar_encode(version, key):
    p = bytes([version]) + key
    return base64.b32encode(p + crc16_xmodem(p).to_bytes(2, "little")).decode().rstrip("=")


def stellar_ok(s):
    try:
        raw = base64.b32decode(s + "=" * (-len(s) % 8))
    except ValueError:
        return False
    return crc16_xmodem(raw[:-2]).to_bytes(2, "little") == raw[-2:]


def algorand_encode(pk):
    chk = hashlib.new("sha512_256", pk).digest()[-4:]
    return base64.b32encode(pk + chk).decode().rstrip("=")


def algorand_ok(s):
    try:
        raw = base64.b32decode(s + "=" * (-len(s) % 8))
    except ValueError:
        return False
    return len(raw) == 36 and hashlib.new("sha512_256", raw[:32]).digest()[-4:] == raw[32:]


def ss58_encode(prefix, pk):
    data = bytes([prefix]) + pk
    chk = hashlib.blake2b(b"SS58PRE" + data, digest_size=64).digest()[:2]
    return b58encode(data + chk)


def ss58_ok(s):
    raw = b58decode(s)
    return len(raw) == 35 and \
        hashlib.blake2b(b"SS58PRE" + raw[:33], digest_size=64).digest()[:2] == raw[33:]


def crypto_address_ok(a):
    """Validate a wallet address or key by the checksum its format defines."""
    a = a.strip()
    if a.startswith("0x"):
        return eth_ok(a)
    if a.startswith("bitcoincash:"):
        return cashaddr_ok(a)
    if a.startswith("X-avax1"):
        return bech32_const(a[2:]) == BECH32
    for hrp in ("bc1", "tb1", "ltc1", "cosmos1", "bnb1", "addr1", "npub1", "nsec1",
                "AGE-SECRET-KEY-1"):
        if a.startswith(hrp):
            return bech32_const(a) is not None
    if re.fullmatch(r"4[1-9A-HJ-NP-Za-km-z]{94}", a):
        return xmr_ok(a)
    if re.fullmatch(r"G[A-Z2-7]{55}", a):
        return stellar_ok(a)
    if re.fullmatch(r"[A-Z2-7]{58}", a):
        return algorand_ok(a)
    if a.startswith("r") and all(c in XRP58 for c in a):
        return b58check_ok(a, XRP58)
    if re.fullmatch(r"1[1-9A-HJ-NP-Za-km-z]{46,47}", a):
        return ss58_ok(a)
    if all(c in B58 for c in a):
        return b58check_ok(a)
    return False


# ----------------------------------------------- published examples


def selftest():
    """Each helper against an example printed in its specification."""
    assert luhn_ok("79927398713") and not luhn_ok("79927398710")
    assert aba_ok("011000015") and not aba_ok("011000016")
    assert iban_ok("GB82 WEST 1234 5698 7654 32") and iban_ok("DE89370400440532013000")
    assert iban_make("DE", "370400440532013000") == "DE89370400440532013000"
    assert verhoeff_ok("2363") and verhoeff_digit("236") == "3"
    assert cl_rut_dv("30.686.957") == "4"
    assert il_id_ok("000000018") and not il_id_ok("000000019")
    assert br_cpf_ok("529.982.247-25") and not br_cpf_ok("529.982.247-26")
    assert cn_ric_ok("11010519491231002X")
    assert hkid_ok("A123456(3)")
    assert tw_id_ok("A123456789")
    assert sg_nric_ok("S1234567D")
    assert tr_tckn_ok("10000000146")
    assert pl_pesel_ok("44051401359")
    assert se_pnr_ok("811218-9876")
    assert dk_cpr_ok("070761-4285")
    assert fi_hetu_ok("131052-308T")
    assert nl_bsn_ok("111222333")
    assert fr_nir_ok("255081416802538")
    assert es_dni_ok("12345678Z") and es_dni_ok("X1234567L")
    assert it_cf_ok("RSSMRA85T10A562S")
    assert pt_nif_ok("123456789")
    assert de_steuerid_ok("86095742719")
    assert hr_oib_ok("69435151530")
    assert ch_ahv_ok("756.9217.0769.85")
    assert luhn_ok("046 454 286") and ca_sin_ok("130 692 544")
    assert mx_curp_ok("SABC560626MDFLRN01")
    assert au_tfn_ok("123456782")
    assert nz_ird_ok("49091850") and nz_ird_ok("136410132")
    assert ee_ik_ok("37605030299")
    assert ie_pps_ok("1234567T") and ie_pps_ok("1234567FA")
    assert nhs_ok("943 476 5919") and not nhs_ok("943 476 5918")
    assert npi_ok("1234567893")
    assert dea_ok("AB1234563")
    assert vin_ok("1M8GDM9AXKP042788") and vin_ok("11111111111111111")
    assert mrz_td3_line2_ok("L898902C36UTO7408122F1204159ZE184226B<<<<<10")
    assert mrz_digit("L898902C3") == "6"
    assert clabe_ok("032180000118359719")
    assert fr_rib_ok("12345 12345 1234567891A 16")
    assert jp_mynumber_ok("1234 5678 9018") and not jp_mynumber_ok("1234 5678 9017")
    assert keccak256(b"").hex() == \
        "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    assert eip55("5aaeb6053f3e94c9b9a09f33669435e7ef1beaed") == \
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
    assert b58check_encode(b"\0" + bytes.fromhex(
        "62e907b15cbf27d5425399ebf6f0fb50ebb88f18")) == "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"
    assert b58check_encode(b"\x80" + bytes.fromhex(
        "0C28FCA386C7A227600B2FE50B7CAE11EC86D3BF1FBE471BE89827E19D72AA1D")) == \
        "5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ"
    assert segwit_encode("bc", 0, bytes.fromhex(
        "751e76e8199196d454941c45d1b3a323f1433bd6")) == \
        "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
    assert segwit_encode("bc", 1, bytes.fromhex(
        "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")) == \
        "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"
    assert cashaddr_encode("bitcoincash", 0, bytes.fromhex(
        "76a04053bda0a88bda5177b86a15c3b29f559873")) == \
        "bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a"
    assert stellar_ok("GA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVSGZ")
    assert crc16_xmodem(b"123456789") == 0x31C3


def bip39_words():
    path = os.environ.get("BIP39_WORDLIST")
    if not path or not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        return [w.strip() for w in f if w.strip()]


def bip39_ok(phrase, words):
    idx = [words.index(w) for w in phrase.split()]
    bits = "".join(format(i, "011b") for i in idx)
    ent_len = len(bits) * 32 // 33
    ent = int(bits[:ent_len], 2).to_bytes(ent_len // 8, "big")
    chk = format(hashlib.sha256(ent).digest()[0], "08b")[:len(bits) - ent_len]
    return bits[ent_len:] == chk


# --------------------------------------------------- row verification

# kind -> (regex finding candidates, validator). Drop rows must contain at
# least one candidate and every candidate must validate; pass rows (the
# near-misses) must contain no candidate that validates.
CHECKED = {
    "payment_card": (r"(?<![\d])\d(?:[ -]?\d){12,18}(?![\d])", luhn_ok),
    "mag_stripe": (r"(?<!\d)\d{13,19}(?=[\^=D])", luhn_ok),
    "iban": (r"\b[A-Za-z]{2}\d{2}(?:[ ]?[A-Za-z0-9]){10,30}\b", iban_ok),
    "bank_routing": (r"(?<!\d)\d{9}(?!\d)", aba_ok),
    "bank_rib": (r"\d{5} ?\d{5} ?[0-9A-Z]{11} ?\d{2}", fr_rib_ok),
    "bank_clabe": (r"(?<!\d)\d{18}(?!\d)|\d{3} \d{3} \d{11} \d", clabe_ok),
    "vin": (r"\b[A-HJ-NPR-Z0-9]{17}\b", vin_ok),
    "imei": (r"(?<!\d)\d{2}[ -]?\d{6}[ -]?\d{6}[ -]?\d(?!\d)", luhn_ok),
    "iccid": (r"(?<!\d)89(?:[ ]?\d){17,18}(?!\d)", luhn_ok),
    "national_id_kr": (r"\d{6}-?\d{7}", kr_rrn_ok),
    "national_id_jp": (r"(?<!\d)\d{4}[ -]?\d{4}[ -]?\d{4}(?!\d)", jp_mynumber_ok),
    "national_id_cl": (r"(?<![\d.])\d{1,2}\.?\d{3}\.?\d{3}-[\dkK]", cl_rut_ok),
    "national_id_za": (r"(?<!\d)\d{6} ?\d{4} ?\d{3}(?!\d)", za_id_ok),
    "national_id_il": (r"(?<!\d)\d{9}(?!\d)|\d{8}-\d", il_id_ok),
    "national_id_br": (r"\d{3}\.?\d{3}\.?\d{3}-?\d{2}", br_cpf_ok),
    "national_id_in": (r"(?<!\d)[2-9]\d{3} ?\d{4} ?\d{4}(?!\d)", in_aadhaar_ok),
    "national_id_cn": (r"(?<!\d)\d{6} ?\d{8} ?\d{3}[\dXx](?!\d)", cn_ric_ok),
    "national_id_hk": (r"[A-Z]{1,2}\d{6}\([\dA]\)", hkid_ok),
    "national_id_tw": (r"\b[A-Z][12]\d{8}\b", tw_id_ok),
    "national_id_sg": (r"\b[STFG]\d{7}[A-Z]\b", sg_nric_ok),
    "national_id_tr": (r"(?<!\d)[1-9]\d{10}(?!\d)", tr_tckn_ok),
    "national_id_pl": (r"(?<!\d)\d{11}(?!\d)", pl_pesel_ok),
    "national_id_se": (r"(?<!\d)(?:\d\d)?\d{6}[-+]?\d{4}(?!\d)", se_pnr_ok),
    "national_id_no": (r"(?<!\d)\d{6} ?\d{5}(?!\d)", no_fnr_ok),
    "national_id_dk": (r"(?<!\d)\d{6}-\d{4}(?!\d)", dk_cpr_ok),
    "national_id_fi": (r"\b\d{6}[-+A]\d{3}[0-9A-Y]\b", fi_hetu_ok),
    "national_id_nl": (r"(?<!\d)\d{4}\.?\d{2}\.?\d{3}(?!\d)", nl_bsn_ok),
    "national_id_be": (r"(?<!\d)\d{2}\.\d{2}\.\d{2}-\d{3}\.\d{2}(?!\d)|(?<!\d)\d{11}(?!\d)", be_nn_ok),
    "national_id_fr": (r"(?<!\d)[12](?: ?\d){14}(?!\d)", fr_nir_ok),
    "national_id_es": (r"\b[XYZ]?\d{7,8}-?[A-Z]\b", es_dni_ok),
    "national_id_it": (r"\b[A-Z]{6}\d\d[A-Z]\d\d[A-Z]\d{3}[A-Z]\b", it_cf_ok),
    "national_id_pt": (r"(?<!\d)\d{9}(?!\d)|\d{3} \d{3} \d{3}", pt_nif_ok),
    "national_id_de": (r"(?<!\d)\d{2} ?\d{3} ?\d{3} ?\d{3}(?!\d)", de_steuerid_ok),
    "national_id_hr": (r"(?<!\d)\d{11}(?!\d)", hr_oib_ok),
    "national_id_ch": (r"756\.?\d{4}\.?\d{4}\.?\d{2}", ch_ahv_ok),
    "national_id_ca": (r"(?<!\d)\d{3}[ -]?\d{3}[ -]?\d{3}(?!\d)", ca_sin_ok),
    "national_id_mx": (r"\b[A-Z]{4}\d{6}[HMX][A-Z]{5}[A-Z0-9]\d\b", mx_curp_ok),
    "national_id_au": (r"(?<!\d)\d{3} ?\d{3} ?\d{3}(?!\d)", au_tfn_ok),
    "national_id_nz": (r"(?<!\d)\d{2,3}-?\d{3}-?\d{3}(?!\d)", nz_ird_ok),
    "national_id_ro": (r"(?<!\d)[1-8]\d{12}(?!\d)", ro_cnp_ok),
    "national_id_ee": (r"(?<!\d)[1-6]\d{10}(?!\d)", ee_ik_ok),
    "national_id_th": (r"(?<!\d)\d(?:[ -]?\d){12}(?!\d)", th_id_ok),
    "national_id_at": (r"(?<!\d)\d{4} ?\d{6}(?!\d)", at_svnr_ok),
    "national_id_ie": (r"\b\d{7}[A-W][ABHW]?\b", ie_pps_ok),
    "national_id_us": (r"(?<!\d)\d{3}[- ]\d{2}[- ]\d{4}(?!\d)|(?<=[/:_. =])\d{9}(?!\d)", us_ssn_ok),
    "national_id_uk": (r"\b[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b", uk_nino_ok),
    "national_id_ae": (r"784-?\d{4}-?\d{7}-?\d", luhn_ok),
    "national_id_gr": (r"(?<!\d)\d{11}(?!\d)", luhn_ok),
    "national_id_sa": (r"(?<!\d)[12]\d{9}(?!\d)", luhn_ok),
    "national_id_kz": (r"(?<!\d)\d{12}(?!\d)", kz_iin_ok),
    "medical_nhs": (r"(?<!\d)\d{3}[ -]?\d{3}[ -]?\d{4}(?!\d)", nhs_ok),
    "medical_npi": (r"(?<!\d)\d{10}(?!\d)", npi_ok),
    "medical_dea": (r"\b[A-Z][A-Z9]\d{7}\b", dea_ok),
    "medical_mbi": (r"\b[0-9A-Z]{4}-?[0-9A-Z]{3}-?[0-9A-Z]{4}\b", mbi_ok),
    "medical_medicare_au": (r"(?<!\d)[2-6]\d{3} ?\d{5} ?\d(?: ?\d)?(?!\d)", au_medicare_ok),
    "passport_mrz": (r"[A-Z0-9<]{44}", mrz_td3_line2_ok),
    "crypto_address": (r"bitcoincash:[a-z0-9]+|X-avax1[a-z0-9]+|0x[0-9a-fA-F]{40}\b|"
                       r"\b(?:bc1|tb1|ltc1|cosmos1|bnb1|addr1|npub1)[a-z0-9]{20,}|"
                       r"\b[1-9A-HJ-NP-Za-km-z]{25,95}\b|\b[A-Z2-7]{56,58}\b",
                       crypto_address_ok),
    "crypto_private_key": (r"\b(?:[5KLc9][1-9A-HJ-NP-Za-km-z]{50,51}|"
                           r"[xtyz]prv[1-9A-HJ-NP-Za-km-z]{107}|"
                           r"[xtyz]pub[1-9A-HJ-NP-Za-km-z]{107}|nsec1[a-z0-9]{58})\b",
                           crypto_address_ok),
}

# Drop rows of these kinds may hold a format without any checksum when a
# label says what it is (Solana, NEAR, ENS, Lightning keys, raw hex keys).
LABELLED_UNCHECKED = {
    "crypto_address": r"(?i)\b(sol|solana|near|ens|pubkey|wallet)\b",
    "crypto_private_key": r"(?i)private|keypair",
}


def is_mask(s):
    """One character fills more than half of it: a placeholder, not a value."""
    body = s[2:] if s.startswith("0x") else s
    return max(body.count(c) for c in set(body)) * 2 > len(body)


def deliberate_pass(kind, cand, val):
    """Pass rows that satisfy a check on purpose (written down in DECISIONS)."""
    if is_mask(cand):
        return True
    # D7: a bare, unlabelled 10-digit run reads as epoch seconds.
    return kind == "medical_nhs" and re.fullmatch(r"\d{10}", cand) and "nhs" not in val.lower()



# Check digits claimed by rows of kinds that hide an id in another shape:
# kind -> [(regex that says which id it is, regex finding it, validator)].
_SMUGGLED = [
    (r"card", r"\d{4}-?\d{4}-?\d{4}-?\d{4}", luhn_ok),
    (r"iban|\+GB", r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", iban_ok),
    (r"wallet", r"bc1[a-z0-9]{20,}", lambda c: bech32_const(c) is not None),
    (r"rrn", r"\d{6}-\d{7}", kr_rrn_ok),
]
EMBEDDED = {
    "key_shape_smuggling": _SMUGGLED,
    "version_shape_smuggling": _SMUGGLED,
    "medical_mrn": [(r"CHI", r"\d{10}", nhs_ok)],
}


KEY_SHAPE = re.compile(r"[A-Za-z0-9._:/-]{1,64}")
VERSION_SHAPE = re.compile(r"v?[0-9][A-Za-z0-9.+_-]{0,63}")


def verify_rows(rows):
    errors = []
    words = bip39_words()
    if words is None:
        print("note: BIP39_WORDLIST (path to the BIP-39 english.txt) not set; "
              "seed-phrase checksums not verified")
    for ln, exp, kind, val in rows:
        if kind in CHECKED:
            rx, ok = CHECKED[kind]
            cands = re.findall(rx, val)
            if exp == "drop":
                if kind in LABELLED_UNCHECKED and re.search(LABELLED_UNCHECKED[kind], val) \
                        and not any(ok(c) for c in cands):
                    continue
                if not cands:
                    errors.append("%d: %s drop row has no checkable id: %s" % (ln, kind, val))
                elif not any(ok(c) for c in cands):
                    errors.append("%d: %s drop row has no valid check digit: %s" % (ln, kind, val))
            else:
                bad = [c for c in cands if ok(c) and not deliberate_pass(kind, c, val)]
                if bad:
                    errors.append("%d: %s pass row validates (%s): %s" % (ln, kind, bad, val))
        if exp == "drop" and kind in EMBEDDED:
            # Ids hidden inside other shapes still carry valid check digits.
            for label, rx, ok in EMBEDDED[kind]:
                if re.search(label, val):
                    cands = re.findall(rx, val)
                    if not cands or not all(ok(c) for c in cands):
                        errors.append("%d: %s drop row holds an invalid id: %s" % (ln, kind, val))
        if kind == "crypto_seed_phrase" and exp == "drop" and words:
            seq = [w for w in re.findall(r"[a-z]+", val) if w in words]
            found = False
            for n in (24, 18, 15, 12):
                for i in range(len(seq) - n + 1):
                    if bip39_ok(" ".join(seq[i:i + n]), words):
                        found = True
            if not found:
                errors.append("%d: seed phrase without a valid BIP-39 checksum: %s" % (ln, val))
        if exp == "pass":
            # A near-miss must not hide a valid card or IBAN in another kind.
            for c in re.findall(CHECKED["payment_card"][0], val):
                if luhn_ok(c) and len(digits(c)) >= 13 and not \
                        re.fullmatch(r"1[67]\d{11,12}", "".join(filter(str.isdigit, c))):
                    errors.append("%d: pass row holds a Luhn-valid 13-19 digit run: %s" % (ln, val))
            for c in re.findall(CHECKED["iban"][0], val):
                if iban_ok(c):
                    errors.append("%d: pass row holds a valid IBAN: %s" % (ln, val))
        # The smuggling kinds only test something if the value fits the shape.
        if kind == "key_shape_smuggling" and not KEY_SHAPE.fullmatch(val):
            errors.append("%d: not key-shaped: %s" % (ln, val))
        if kind == "version_shape_smuggling" and not VERSION_SHAPE.fullmatch(val):
            errors.append("%d: not version-shaped: %s" % (ln, val))
        if kind == "national_id_labelled_bad_check":
            # These rows test the label alone: their check digits must be wrong.
            for other, (rx, ok) in CHECKED.items():
                if other.startswith("national_id_") and other != "national_id_us":
                    if any(ok(c) for c in re.findall(rx, val)):
                        errors.append("%d: labelled bad-check row validates as %s: %s"
                                      % (ln, other, val))
        if exp == "pass" and kind.startswith(("national_id_", "medical_")):
            # A near-miss id must not satisfy another country's check either.
            for other, (rx, ok) in CHECKED.items():
                if other in (kind, "national_id_us", "medical_mbi") or \
                        not other.startswith(("national_id_", "medical_")):
                    continue
                for c in re.findall(rx, val):
                    if ok(c) and not deliberate_pass(kind, c, val):
                        errors.append("%d: %s pass row satisfies %s (%s): %s"
                                      % (ln, kind, other, c, val))
    return errors


def main():
    selftest()
    with open(CORPUS, encoding="utf-8") as f:
        text = f.read()
    assert text.endswith("\n"), "file must end with a newline"
    rows = []
    errors = []
    seen = {}
    heading = None
    for ln, line in enumerate(text.split("\n")[:-1], start=1):
        if line.startswith("# --- kind: "):
            heading = line[len("# --- kind: "):].split()[0]
            continue
        if not line or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 3:
            errors.append("%d: expected 3 tab-separated fields" % ln)
            continue
        exp, kind, val = parts
        if exp not in ("drop", "pass"):
            errors.append("%d: EXPECT must be drop or pass" % ln)
        if not re.fullmatch(r"[a-z0-9_]+", kind):
            errors.append("%d: kind must be lowercase/underscores" % ln)
        if kind != heading:
            errors.append("%d: kind %s under heading %s" % (ln, kind, heading))
        n = len(val)
        if not 1 <= n <= 200:
            errors.append("%d: value has %d code points" % (ln, n))
        if val != val.strip() or any(unicodedata.category(c) == "Cc" for c in val):
            errors.append("%d: value has edge spaces or control characters" % ln)
        if val in seen:
            errors.append("%d: duplicate of line %d" % (ln, seen[val]))
        seen[val] = ln
        rows.append((ln, exp, kind, val))
    errors += verify_rows(rows)
    drops = sum(1 for r in rows if r[1] == "drop")
    passes = len(rows) - drops
    by_kind = {}
    for _, exp, kind, _ in rows:
        by_kind.setdefault(kind, [0, 0])[exp == "pass"] += 1
    if "-v" in sys.argv:
        for k in sorted(by_kind):
            print("%-34s drop %4d  pass %4d" % (k, by_kind[k][0], by_kind[k][1]))
    print("rows %d: drop %d, pass %d, kinds %d" % (len(rows), drops, passes, len(by_kind)))
    if drops < 600 or passes < 300:
        errors.append("need >= 600 drop and >= 300 pass rows")
    for e in errors:
        print("ERROR", e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
