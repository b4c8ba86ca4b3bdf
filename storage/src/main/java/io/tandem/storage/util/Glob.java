package io.tandem.storage.util;

import java.nio.charset.StandardCharsets;

/**
 * Glob-style matching with exactly the semantics of Redis's {@code stringmatchlen} (util.c):
 * {@code *}, {@code ?}, {@code [abc]}, {@code [^abc]}, {@code [a-z]} (reversed ranges allowed),
 * and {@code \} escapes, on raw bytes. Used by CONFIG GET, KEYS, SCAN MATCH, PSUBSCRIBE.
 *
 * <p>Bytes compare as C {@code char} (signed), as on x86 Redis builds; case folding ("nocase")
 * only folds ASCII {@code A-Z}. Runs in polynomial time: a failed tail match after a {@code *}
 * stops the search for longer matches (the same pruning Redis 7.2 applies).
 */
public final class Glob {
    private Glob() {}

    /** True if the pattern contains a glob metacharacter ({@code [}, {@code *} or {@code ?}), as CONFIG GET checks. */
    public static boolean hasWildcards(byte[] pattern) {
        for (byte b : pattern) {
            if (b == '[' || b == '*' || b == '?') return true;
        }
        return false;
    }

    /** {@link #hasWildcards(byte[])} for a String (chars compared as they are). */
    public static boolean hasWildcards(String pattern) {
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '[' || c == '*' || c == '?') return true;
        }
        return false;
    }

    /** Case-sensitive match of the whole {@code string} against the whole {@code pattern}. */
    public static boolean match(byte[] pattern, byte[] string) {
        return match(pattern, 0, pattern.length, string, 0, string.length, false);
    }

    public static boolean match(byte[] pattern, byte[] string, boolean nocase) {
        return match(pattern, 0, pattern.length, string, 0, string.length, nocase);
    }

    /** Matches strings as ISO-8859-1 bytes (each char must be {@code <= 0xFF} to be byte-exact). */
    public static boolean match(String pattern, String string, boolean nocase) {
        return match(pattern.getBytes(StandardCharsets.ISO_8859_1), string.getBytes(StandardCharsets.ISO_8859_1), nocase);
    }

    public static boolean match(byte[] pattern, int patternOffset, int patternLength,
                                byte[] string, int stringOffset, int stringLength, boolean nocase) {
        // Fast path for the very common "*".
        if (patternLength == 1 && pattern[patternOffset] == '*') return true;
        boolean[] skipLonger = new boolean[1];
        return matchImpl(pattern, patternOffset, patternLength, string, stringOffset, stringLength, nocase, skipLonger);
    }

    private static int lower(int c) {
        return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
    }

    @SuppressWarnings("fallthrough")
    private static boolean matchImpl(byte[] p, int pi, int plen, byte[] s, int si, int slen,
                                     boolean nocase, boolean[] skipLonger) {
        while (plen > 0 && slen > 0) {
            switch (p[pi]) {
                case '*': {
                    while (plen > 1 && p[pi + 1] == '*') {
                        pi++;
                        plen--;
                    }
                    if (plen == 1) return true; // trailing '*' matches the rest
                    while (slen > 0) {
                        if (matchImpl(p, pi + 1, plen - 1, s, si, slen, nocase, skipLonger)) return true;
                        if (skipLonger[0]) return false;
                        si++;
                        slen--;
                    }
                    skipLonger[0] = true;
                    return false;
                }
                case '?':
                    si++;
                    slen--;
                    break;
                case '[': {
                    pi++;
                    plen--;
                    boolean not = plen > 0 && p[pi] == '^';
                    if (not) {
                        pi++;
                        plen--;
                    }
                    boolean match = false;
                    while (true) {
                        if (plen == 0) {
                            // Unterminated class: step back so the outer advance lands on the end.
                            pi--;
                            plen++;
                            break;
                        } else if (p[pi] == '\\' && plen >= 2) {
                            pi++;
                            plen--;
                            if (p[pi] == s[si]) match = true;
                        } else if (p[pi] == ']') {
                            break;
                        } else if (plen >= 3 && p[pi + 1] == '-') {
                            int start = p[pi];
                            int end = p[pi + 2];
                            int c = s[si];
                            if (start > end) {
                                int t = start;
                                start = end;
                                end = t;
                            }
                            if (nocase) {
                                start = lower(start);
                                end = lower(end);
                                c = lower(c);
                            }
                            pi += 2;
                            plen -= 2;
                            if (c >= start && c <= end) match = true;
                        } else {
                            if (!nocase) {
                                if (p[pi] == s[si]) match = true;
                            } else if (lower(p[pi]) == lower(s[si])) {
                                match = true;
                            }
                        }
                        pi++;
                        plen--;
                    }
                    if (not) match = !match;
                    if (!match) return false;
                    si++;
                    slen--;
                    break;
                }
                case '\\':
                    if (plen >= 2) {
                        pi++;
                        plen--;
                    }
                    // fall through
                default:
                    if (!nocase) {
                        if (p[pi] != s[si]) return false;
                    } else if (lower(p[pi]) != lower(s[si])) {
                        return false;
                    }
                    si++;
                    slen--;
                    break;
            }
            pi++;
            plen--;
            if (slen == 0) {
                while (plen > 0 && p[pi] == '*') {
                    pi++;
                    plen--;
                }
                break;
            }
        }
        return plen == 0 && slen == 0;
    }
}
