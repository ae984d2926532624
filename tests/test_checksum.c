/*
 * test_checksum.c — the check-digit algorithms behind the redaction
 * validators (src/filter/checksum.c), against published test vectors: a wrong
 * checksum would let real card numbers, IBANs or addresses through, or drop
 * look-alikes the corpus says must pass.
 */
#include "support.h"
#include "filter/checksum.h"

#include <string.h>

#define OK(fn, s) assert_int_equal(fn(s, strlen(s)), 1)
#define BAD(fn, s) assert_int_equal(fn(s, strlen(s)), 0)

/* Card-network test numbers and the IMEI example from 3GPP TS 23.003
 * documentation; separators are skipped; one changed digit fails. */
static void test_checksum__luhn(void **state)
{
  (void)state;
  OK(ja__luhn_ok, "4111111111111111");
  OK(ja__luhn_ok, "4242 4242 4242 4242");
  OK(ja__luhn_ok, "3782-822463-10005");
  OK(ja__luhn_ok, "490154203237518");
  BAD(ja__luhn_ok, "4111111111111112");
  BAD(ja__luhn_ok, "490154203237519");
  BAD(ja__luhn_ok, "0"); /* a single digit is not a number with a check digit */
  BAD(ja__luhn_ok, "");
}

/* ISO 13616 examples (registry), either case, with and without spaces. */
static void test_checksum__iban(void **state)
{
  (void)state;
  OK(ja__iban_ok, "GB82WEST12345698765432");
  OK(ja__iban_ok, "GB82 WEST 1234 5698 7654 32");
  OK(ja__iban_ok, "gb82 west 1234 5698 7654 32");
  OK(ja__iban_ok, "DE89370400440532013000");
  OK(ja__iban_ok, "NO9386011117947");                   /* shortest: 15 */
  OK(ja__iban_ok, "MT84MALT011000012345MTLCAST001S");   /* letters in the BBAN */
  BAD(ja__iban_ok, "GB82WEST12345698765433");
  BAD(ja__iban_ok, "GB82-WEST-1234-5698-7654-32");      /* only spaces are skipped */
  BAD(ja__iban_ok, "82GBWEST12345698765432");
  BAD(ja__iban_ok, "GB82WEST1234");                     /* too short */
  BAD(ja__iban_ok, "GB82WEST123456987654321234567890123456"); /* too long */
}

/* The genesis block address and BIP 13's P2SH example; a changed
 * character, a wrong length, a character outside base58. */
static void test_checksum__base58check(void **state)
{
  (void)state;
  OK(ja__base58check_ok, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa");
  OK(ja__base58check_ok, "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy");
  BAD(ja__base58check_ok, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb");
  BAD(ja__base58check_ok, "1A1zP1eP5QGefi2DMPTfTL5SLmv7Divf");
  BAD(ja__base58check_ok, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfN0"); /* '0' is not base58 */
  BAD(ja__base58check_ok, "");
}

/* BIP 173 (bech32) and BIP 350 (bech32m) valid vectors; mixed case and a
 * changed character fail. */
static void test_checksum__bech32(void **state)
{
  (void)state;
  OK(ja__bech32_ok, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4");
  OK(ja__bech32_ok, "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4");
  OK(ja__bech32_ok, "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0");
  BAD(ja__bech32_ok, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5");
  BAD(ja__bech32_ok, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7KV8F3T4");
  BAD(ja__bech32_ok, "bc1");
}
