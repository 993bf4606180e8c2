package dev.rootline.actors.capture;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Replaces personal data and credentials in captured text by {@code [masked:<rule>]} markers
 * ({@link MaskingRule}), before a span leaves the capture. One left-to-right pass per text with a
 * hand-written scanner over the raw bytes (a table of character classes, no regular
 * expressions, no allocation unless something is masked); what each rule matches:
 *
 * <ul>
 *   <li>at the start of a line, a header {@code Name: value} whose name is {@code Authorization} /
 *       {@code Proxy-Authorization} (authorization: the value after the scheme), {@code Cookie}
 *       (cookie: every value, names kept), {@code Set-Cookie} (cookie: the first value,
 *       attributes kept), or a name the key rules below name (api-key, password: the whole value);
 *   <li>anywhere, {@code Bearer <token>} (bearer-token);
 *   <li>anywhere, {@code key=value} (query strings, form bodies) and {@code "key": value} (JSON)
 *       whose key holds {@code passw}, {@code pwd}, {@code passphrase} (password) or {@code token},
 *       {@code secret}, {@code api-key}, {@code api_key}, {@code apikey}, {@code access-key},
 *       {@code access_key}, {@code private-key}, {@code private_key} (api-key), case-insensitive;
 *   <li>anywhere, 13–19 digits with single spaces or dashes between them, starting with 2–6 (the
 *       card networks' major industry identifiers), that pass the Luhn check (card-number; other
 *       digit runs stay, so epoch timestamps, which start with 1, never match);
 *   <li>anywhere, {@code local@domain.tld}, also {@code local%40domain.tld} (email).
 * </ul>
 *
 * <p><b>Cut texts</b> (an excerpt or target the capture's limits cut short, {@code cut = true}): a
 * value that runs into the cut is masked as far as it goes; an e-mail address whose domain runs
 * into the cut is masked even without its dot; a digit run of 7 to 19 digits that runs into the
 * cut is masked as a card number without the Luhn check when it starts with 2–6 (its end, and so
 * its check digit, is unknown).
 *
 * <p><b>Length</b>: a masked text is at most {@link #maxLength} of its raw length (1.5 times it +
 * {@link #MAX_GROWTH} bytes: markers may be longer than what they replace); what would go beyond
 * is cut.
 *
 * <p>Counts every masking per rule. Not thread-safe: one instance per assembler (the probe's
 * thread); the output buffer is reused between calls.
 */
public final class PiiMasker {

  /** A masked text is at most half its raw length plus this many bytes longer than the raw one. */
  public static final int MAX_GROWTH = 64;

  private static final int MAX_KEY = 64;
  private static final int MAX_LOCAL = 64;
  private static final int MAX_DOMAIN = 253;
  private static final int MAX_CARD_DIGITS = 19;
  private static final int MIN_CARD_DIGITS = 13;
  /** Digits at a cut end masked unchecked from this many: more than a card's issuer prefix. */
  private static final int MIN_CUT_CARD_DIGITS = 7;

  // Character classes of a byte (bit flags).
  private static final int KEY = 1; // query/form/JSON key: [A-Za-z0-9_.-]
  private static final int LOCAL = 2; // e-mail local part: [A-Za-z0-9._+-]
  private static final int DOMAIN = 4; // domain label: [A-Za-z0-9-]
  private static final int TOKEN = 8; // bearer token (RFC 6750 b64token): [A-Za-z0-9-._~+/=]
  private static final int HNAME = 16; // header name (RFC 9110 tchar)
  private static final int DIGIT = 32;
  private static final int ALPHA = 64;
  private static final int VALUE = 128; // a query/form value byte: printable, no delimiter
  private static final int[] CLASS = new int[256];

  static {
    for (int c = 0; c < 256; c++) {
      boolean alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
      boolean digit = c >= '0' && c <= '9';
      boolean alnum = alpha || digit;
      int k = 0;
      if (alnum || c == '_' || c == '.' || c == '-') k |= KEY;
      if (alnum || c == '_' || c == '.' || c == '-' || c == '+') k |= LOCAL;
      if (alnum || c == '-') k |= DOMAIN;
      if (alnum || "-._~+/=".indexOf(c) >= 0) k |= TOKEN;
      if (alnum || "!#$%&'*+-.^_`|~".indexOf(c) >= 0) k |= HNAME;
      if (digit) k |= DIGIT;
      if (alpha) k |= ALPHA;
      if (c > 0x20 && c < 0x7f && "&;#\"',<>".indexOf(c) < 0) k |= VALUE;
      CLASS[c] = k;
    }
  }

  private static final byte[] AUTHORIZATION = ascii("authorization");
  private static final byte[] PROXY_AUTHORIZATION = ascii("proxy-authorization");
  private static final byte[] COOKIE = ascii("cookie");
  private static final byte[] SET_COOKIE = ascii("set-cookie");
  private static final byte[] BEARER = ascii("bearer");
  private static final byte[] MARKER_START = ascii("[masked:");
  private static final byte[][] PASSWORD_NAMES = {ascii("passw"), ascii("pwd"), ascii("passphrase")};
  private static final byte[][] API_KEY_NAMES = {
    ascii("token"), ascii("secret"), ascii("api-key"), ascii("api_key"), ascii("apikey"),
    ascii("access-key"), ascii("access_key"), ascii("private-key"), ascii("private_key")
  };

  private static final int AUTH_BIT = MaskingRule.AUTHORIZATION.bit();
  private static final int COOKIE_BIT = MaskingRule.COOKIE.bit();
  private static final int API_KEY_BIT = MaskingRule.API_KEY.bit();
  private static final int BEARER_BIT = MaskingRule.BEARER_TOKEN.bit();
  private static final int PASSWORD_BIT = MaskingRule.PASSWORD.bit();
  private static final int CARD_BIT = MaskingRule.CARD_NUMBER.bit();
  private static final int EMAIL_BIT = MaskingRule.EMAIL.bit();
  private static final int HEADER_RULES = AUTH_BIT | COOKIE_BIT | API_KEY_BIT | PASSWORD_BIT;
  private static final int KEY_RULES = API_KEY_BIT | PASSWORD_BIT | BEARER_BIT;

  private final long[] counts = new long[MaskingRule.values().length];
  private long textsScanned;
  private long textsMasked;

  // The call in progress (single-threaded).
  private byte[] out = new byte[512];
  /** The text being masked, and how much of it went out already. */
  private byte[] src;
  private int copied;
  private int n;
  private int limit;
  private int maskedNow;
  /** End of the run the last failed e-mail / card check looked at: no second look inside it. */
  private int runEnd;

  /**
   * Masks {@code text} (raw bytes, any encoding; only ASCII is interpreted) with the rules in
   * {@code rules} ({@link MaskingRule#bit()}s).
   *
   * @param cut whether the capture cut the text short (see the class comment)
   * @return {@code text} itself when nothing was masked, else a new array
   */
  public byte[] mask(byte[] text, int rules, boolean cut) {
    if (text == null || text.length == 0 || rules == 0) {
      return text;
    }
    textsScanned++;
    int len = text.length;
    begin(text, len);
    int noEmailUntil = 0;
    int noCardUntil = 0;
    boolean headers = (rules & HEADER_RULES) != 0;
    int i = 0;
    int prevClass = 0;
    int prev = '\n';
    while (i < len) {
      if (i > 0) { // the class of the byte before, carried over (or re-read after a jump)
        prev = text[i - 1];
        prevClass = CLASS[prev & 0xff];
      }
      int c = CLASS[text[i] & 0xff];
      // Inside a word nothing starts (but a digit after a letter may start a card number).
      if ((c & prevClass & KEY) != 0 && ((c & DIGIT) == 0 || (prevClass & DIGIT) != 0)) {
        i++;
        continue;
      }
      if (headers && prev == '\n' && (c & HNAME) != 0) {
        int next = header(text, i, len, rules);
        if (next > i) {
          i = next;
          continue;
        }
      }
      if ((rules & KEY_RULES) != 0 && (c & KEY) != 0 && (prevClass & KEY) == 0) {
        int next = keyValue(text, i, len, rules);
        if (next > i) {
          i = next;
          continue;
        }
      }
      if ((rules & EMAIL_BIT) != 0 && (c & LOCAL) != 0 && (prevClass & LOCAL) == 0 && i >= noEmailUntil) {
        int next = email(text, i, len, cut);
        if (next > i) {
          i = next;
          continue;
        }
        noEmailUntil = runEnd;
      }
      if ((rules & CARD_BIT) != 0 && (c & DIGIT) != 0 && (prevClass & DIGIT) == 0 && i >= noCardUntil) {
        int next = card(text, i, len, cut);
        if (next > i) {
          i = next;
          continue;
        }
        noCardUntil = runEnd;
      }
      i++;
    }
    if (maskedNow == 0) {
      src = null;
      return text;
    }
    emitUpTo(len);
    src = null; // no reference to the raw text outlives the call
    textsMasked++;
    return Arrays.copyOf(out, n);
  }

  /**
   * {@link #mask(byte[], int, boolean)} of a text whose characters are bytes (ISO-8859-1, as the
   * parser decodes request targets).
   */
  public String mask(String text, int rules, boolean cut) {
    if (text == null || text.isEmpty() || rules == 0) {
      return text;
    }
    byte[] raw = text.getBytes(StandardCharsets.ISO_8859_1);
    byte[] masked = mask(raw, rules, cut);
    return masked == raw ? text : new String(masked, StandardCharsets.ISO_8859_1);
  }

  /** The longest a masked text of {@code rawLength} bytes can be. */
  public static int maxLength(int rawLength) {
    return rawLength + rawLength / 2 + MAX_GROWTH;
  }

  /** Maskings so far per rule name, every rule listed (in {@link MaskingRule} order). */
  public MaskingCounters counters() {
    Map<String, Long> byRule = new LinkedHashMap<>();
    for (MaskingRule r : MaskingRule.values()) {
      byRule.put(r.ruleName(), counts[r.ordinal()]);
    }
    return new MaskingCounters(byRule, textsScanned, textsMasked);
  }

  // ---- the rules ----

  /** A header line whose value a rule masks: returns the end of the value, else {@code i}. */
  private int header(byte[] text, int i, int len, int rules) {
    int j = i;
    while (j < len && j - i < MAX_KEY && (CLASS[text[j] & 0xff] & HNAME) != 0) {
      j++;
    }
    if (j >= len || text[j] != ':') {
      return i;
    }
    int nameLen = j - i;
    MaskingRule rule;
    boolean setCookie = false;
    if (equalsIgnoreCase(text, i, nameLen, AUTHORIZATION) || equalsIgnoreCase(text, i, nameLen, PROXY_AUTHORIZATION)) {
      rule = MaskingRule.AUTHORIZATION;
    } else if (equalsIgnoreCase(text, i, nameLen, COOKIE)) {
      rule = MaskingRule.COOKIE;
    } else if (equalsIgnoreCase(text, i, nameLen, SET_COOKIE)) {
      rule = MaskingRule.COOKIE;
      setCookie = true;
    } else {
      rule = secretKey(text, i, nameLen);
    }
    if (rule == null || (rules & rule.bit()) == 0) {
      return i;
    }
    int v = j + 1;
    while (v < len && (text[v] == ' ' || text[v] == '\t')) {
      v++;
    }
    int end = v;
    while (end < len && text[end] != '\r' && text[end] != '\n') {
      end++;
    }
    if (end == v) {
      return i; // nothing to mask: the line is scanned as any text
    }
    switch (rule) {
      case AUTHORIZATION -> {
        int s = v;
        while (s < end && (CLASS[text[s] & 0xff] & ALPHA) != 0) {
          s++;
        }
        if (s > v && s < end && text[s] == ' ') { // "Basic xyz": the scheme says what kind
          while (s < end && text[s] == ' ') {
            s++;
          }
          if (s < end) {
            maskValue(text, s, end, rule);
          }
        } else {
          maskValue(text, v, end, rule);
        }
      }
      case COOKIE -> cookies(text, v, end, setCookie);
      default -> maskValue(text, v, end, rule);
    }
    return end;
  }

  /** {@code name=value; name=value}: every value masked, or only the first (Set-Cookie). */
  private void cookies(byte[] text, int from, int end, boolean firstOnly) {
    int p = from;
    while (p < end) {
      int semi = p;
      while (semi < end && text[semi] != ';') {
        semi++;
      }
      int eq = p;
      while (eq < semi && text[eq] != '=') {
        eq++;
      }
      if (eq < semi) {
        if (semi > eq + 1) {
          maskValue(text, eq + 1, semi, MaskingRule.COOKIE);
        }
      } else if (semi > p) {
        int s = p;
        while (s < semi && text[s] == ' ') {
          s++;
        }
        if (s < semi) {
          maskValue(text, s, semi, MaskingRule.COOKIE);
        }
      }
      if (firstOnly) {
        return;
      }
      p = semi + 1;
    }
  }

  /**
   * At the start of a word: {@code Bearer <token>}, or a key with a secret name followed by
   * {@code =value} or (JSON) {@code ": value}. Returns the end of what was written, else {@code
   * i}.
   */
  private int keyValue(byte[] text, int i, int len, int rules) {
    int j = i;
    while (j < len && j - i <= MAX_KEY && (CLASS[text[j] & 0xff] & KEY) != 0) {
      j++;
    }
    int keyLen = j - i;
    if (keyLen > MAX_KEY || j >= len) {
      return i;
    }
    byte next = text[j];
    if (next == ' ' && keyLen == BEARER.length && (rules & BEARER_BIT) != 0
        && equalsIgnoreCase(text, i, keyLen, BEARER)) {
      int t = j;
      while (t < len && text[t] == ' ') {
        t++;
      }
      int e = t;
      while (e < len && (CLASS[text[e] & 0xff] & TOKEN) != 0) {
        e++;
      }
      if (e == t) {
        return i;
      }
      replace(t, e, MaskingRule.BEARER_TOKEN);
      return e;
    }
    boolean form = next == '=';
    boolean json = next == '"' && i > 0 && text[i - 1] == '"';
    if (!form && !json) {
      return i;
    }
    MaskingRule rule = secretKey(text, i, keyLen);
    if (rule == null || (rules & rule.bit()) == 0) {
      return i;
    }
    if (form) {
      int v = j + 1;
      int e;
      if (v < len && (text[v] == '"' || text[v] == '\'')) { // password="..." (config-like text)
        byte quote = text[v];
        v++;
        e = v;
        while (e < len && text[e] != quote && text[e] != '\r' && text[e] != '\n') {
          e++;
        }
      } else {
        e = v;
        while (e < len && (CLASS[text[e] & 0xff] & VALUE) != 0) {
          e++;
        }
      }
      if (e == v) {
        return i;
      }
      maskValue(text, v, e, rule);
      return e;
    }
    int k = skipSpace(text, j + 1, len);
    if (k >= len || text[k] != ':') {
      return i;
    }
    k = skipSpace(text, k + 1, len);
    if (k >= len) {
      return i;
    }
    int v;
    int e;
    if (text[k] == '"') {
      v = k + 1;
      e = v;
      while (e < len && text[e] != '"') {
        e += text[e] == '\\' ? 2 : 1;
      }
      e = Math.min(e, len);
    } else if (text[k] == '{' || text[k] == '[') {
      return i; // an object or list: its own fields are looked at one by one
    } else {
      v = k;
      e = v;
      while (e < len && ",}] \t\r\n".indexOf(text[e]) < 0) {
        e++;
      }
    }
    if (e == v) {
      return i;
    }
    maskValue(text, v, e, rule);
    return e;
  }

  /** {@code local@domain.tld} starting at {@code i}: returns its end, else {@code i}. */
  private int email(byte[] text, int i, int len, boolean cut) {
    int j = i;
    while (j < len && j - i <= MAX_LOCAL && (CLASS[text[j] & 0xff] & LOCAL) != 0) {
      j++;
    }
    runEnd = j;
    if (j - i > MAX_LOCAL || j >= len) {
      return i;
    }
    int d;
    if (text[j] == '@') {
      d = j + 1;
    } else if (text[j] == '%' && j + 2 < len && text[j + 1] == '4' && text[j + 2] == '0') {
      d = j + 3;
    } else {
      return i;
    }
    int e = d;
    int labelStart = d;
    while (e < len && e - d < MAX_DOMAIN) {
      int k = CLASS[text[e] & 0xff];
      if ((k & DOMAIN) != 0) {
        e++;
      } else if (text[e] == '.' && e > labelStart) {
        e++;
        labelStart = e;
      } else {
        break;
      }
    }
    boolean intoCut = cut && e == len;
    if (!intoCut) {
      if (e > d && text[e - 1] == '.') {
        e--; // the sentence's full stop, not the domain's
      }
      int dot = -1;
      for (int p = e - 1; p > d; p--) {
        if (text[p] == '.') {
          dot = p;
          break;
        }
      }
      if (dot < 0 || e - dot - 1 < 2) {
        return i;
      }
    }
    replace(i, e, MaskingRule.EMAIL);
    return e;
  }

  /** A card number starting at {@code i} (a digit after a non-digit): returns its end, else {@code i}. */
  private int card(byte[] text, int i, int len, boolean cut) {
    int j = i;
    int digits = 0;
    int sum = 0;
    int lastDigitEnd = i;
    // Luhn from the right needs the digits first: keep them (at most 19 matter).
    int[] kept = luhnDigits;
    while (j < len) {
      byte ch = text[j];
      if (ch >= '0' && ch <= '9') {
        if (digits < kept.length) {
          kept[digits] = ch - '0';
        }
        digits++;
        j++;
        lastDigitEnd = j;
      } else if ((ch == ' ' || ch == '-') && j + 1 < len && text[j + 1] >= '0' && text[j + 1] <= '9') {
        j++;
      } else {
        break;
      }
    }
    runEnd = lastDigitEnd;
    boolean intoCut = cut && (lastDigitEnd == len || (lastDigitEnd == len - 1 && (text[len - 1] == ' ' || text[len - 1] == '-')));
    boolean isCard;
    if (digits > MAX_CARD_DIGITS || kept[0] < 2 || kept[0] > 6) {
      // Payment cards' major industry identifier is 2-6 (Mastercard 2/5, Amex/JCB/Diners 3, Visa 4,
      // Discover/UnionPay/Maestro 6); epoch timestamps (1...) and most ids are not cards.
      isCard = false;
    } else if (intoCut) {
      isCard = digits >= MIN_CUT_CARD_DIGITS;
    } else if (digits >= MIN_CARD_DIGITS) {
      for (int d = 0; d < digits; d++) {
        int v = kept[digits - 1 - d];
        if ((d & 1) == 1) {
          v *= 2;
          if (v > 9) {
            v -= 9;
          }
        }
        sum += v;
      }
      isCard = sum % 10 == 0;
    } else {
      isCard = false;
    }
    if (!isCard) {
      return i;
    }
    replace(i, lastDigitEnd, MaskingRule.CARD_NUMBER);
    return lastDigitEnd;
  }

  private final int[] luhnDigits = new int[MAX_CARD_DIGITS];

  /** The rule a secret-looking name (header, key) falls under, or null. */
  private static MaskingRule secretKey(byte[] text, int from, int len) {
    for (byte[] n : PASSWORD_NAMES) {
      if (containsIgnoreCase(text, from, len, n)) {
        return MaskingRule.PASSWORD;
      }
    }
    for (byte[] n : API_KEY_NAMES) {
      if (containsIgnoreCase(text, from, len, n)) {
        return MaskingRule.API_KEY;
      }
    }
    return null;
  }

  // ---- output ----
  // The output is written lazily: nothing is copied until the first masking, and then the text
  // between two maskings is copied in one piece.

  private void begin(byte[] text, int len) {
    src = text;
    copied = 0;
    n = 0;
    maskedNow = 0;
    limit = maxLength(len);
    if (out.length < limit) {
      out = new byte[Math.max(limit, out.length * 2)];
    }
  }

  /** The text up to {@code pos} goes out as it is. */
  private void emitUpTo(int pos) {
    if (pos > copied) {
      write(src, copied, pos);
      copied = pos;
    }
  }

  /** {@code src[from, to)} goes out as the rule's marker. */
  private void replace(int from, int to, MaskingRule rule) {
    emitUpTo(from);
    byte[] m = rule.markerBytes();
    write(m, 0, m.length);
    copied = to;
    counts[rule.ordinal()]++;
    maskedNow++;
  }

  /** A value's marker; a value that is a marker already (text masked twice) stays as it is. */
  private void maskValue(byte[] text, int from, int to, MaskingRule rule) {
    if (!startsWith(text, from, to, MARKER_START)) {
      replace(from, to, rule);
    }
  }

  private void write(byte[] bytes, int from, int to) {
    int k = Math.min(to - from, limit - n);
    if (k > 0) {
      System.arraycopy(bytes, from, out, n, k);
      n += k;
    }
  }

  // ---- bytes ----

  private static int skipSpace(byte[] text, int k, int len) {
    while (k < len && (text[k] == ' ' || text[k] == '\t' || text[k] == '\r' || text[k] == '\n')) {
      k++;
    }
    return k;
  }

  private static boolean startsWith(byte[] text, int from, int to, byte[] prefix) {
    if (to - from < prefix.length) {
      return false;
    }
    for (int k = 0; k < prefix.length; k++) {
      if (text[from + k] != prefix[k]) {
        return false;
      }
    }
    return true;
  }

  private static boolean equalsIgnoreCase(byte[] text, int from, int len, byte[] lower) {
    if (len != lower.length) {
      return false;
    }
    for (int k = 0; k < len; k++) {
      if (lowerCase(text[from + k]) != lower[k]) {
        return false;
      }
    }
    return true;
  }

  private static boolean containsIgnoreCase(byte[] text, int from, int len, byte[] lower) {
    int last = len - lower.length;
    outer:
    for (int s = 0; s <= last; s++) {
      for (int k = 0; k < lower.length; k++) {
        if (lowerCase(text[from + s + k]) != lower[k]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  private static byte lowerCase(byte b) {
    return b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
