package io.tandem.storage.util;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class GlobTest {
    private static boolean m(String p, String s) {
        return Glob.match(p, s, false);
    }

    private static boolean mi(String p, String s) {
        return Glob.match(p, s, true);
    }

    @Test
    void literalsAndStar() {
        assertTrue(m("", ""));
        assertFalse(m("", "a"));
        assertTrue(m("*", ""));
        assertTrue(m("*", "anything"));
        assertTrue(m("abc", "abc"));
        assertFalse(m("abc", "abcd"));
        assertFalse(m("abcd", "abc"));
        assertTrue(m("a*", "a"));
        assertTrue(m("a*c", "abbbc"));
        assertTrue(m("a*c", "ac"));
        assertFalse(m("a*c", "abcd"));
        assertTrue(m("*c", "abc"));
        assertTrue(m("a**c", "abc"));
        assertTrue(m("a*b*c", "aXbYc"));
        assertTrue(m("h*llo", "hllo"));
        assertTrue(m("abc***", "abc"));
        assertFalse(m("abc*d", "abc"));
    }

    @Test
    void questionMark() {
        assertTrue(m("h?llo", "hello"));
        assertTrue(m("h?llo", "hallo"));
        assertFalse(m("h?llo", "hllo"));
        assertFalse(m("?", ""));
        assertTrue(m("??", "ab"));
    }

    @Test
    void classes() {
        assertTrue(m("h[ae]llo", "hello"));
        assertTrue(m("h[ae]llo", "hallo"));
        assertFalse(m("h[ae]llo", "hillo"));
        assertTrue(m("h[^e]llo", "hallo"));
        assertFalse(m("h[^e]llo", "hello"));
        assertTrue(m("h[a-b]llo", "hbllo"));
        assertFalse(m("h[a-b]llo", "hcllo"));
        assertTrue(m("h[b-a]llo", "hallo")); // reversed range
        assertTrue(m("[\\]]", "]"));
        assertTrue(m("[\\-]", "-"));
        assertFalse(m("[a-]", "-")); // as Redis: "a-]" is the range ']'..'a', class unterminated
        assertTrue(m("[a-]", "^"));
        assertTrue(m("[a-]", "a"));
        assertTrue(m("x[abc", "xa")); // unterminated class
        assertFalse(m("x[", "x"));    // pattern left over once the string is exhausted
        assertFalse(m("x[]", "xa"));
        assertTrue(m("[^]", "a"));
    }

    @Test
    void escapes() {
        assertTrue(m("\\*", "*"));
        assertFalse(m("\\*", "a"));
        assertTrue(m("a\\?b", "a?b"));
        assertFalse(m("a\\?b", "axb"));
        assertTrue(m("a\\", "a\\"));
        assertTrue(m("\\[a]", "[a]"));
    }

    @Test
    void nocase() {
        assertTrue(mi("HeLLo", "hello"));
        assertFalse(m("HeLLo", "hello"));
        assertTrue(mi("h[A-C]llo", "hbllo"));
        assertTrue(mi("h[a-c]llo", "hBllo"));
        assertTrue(mi("h[B]llo", "hbllo"));
        assertTrue(mi("MAX*", "maxmemory"));
    }

    @Test
    void bytesAndOffsets() {
        byte[] p = {(byte) 0xE9, '*'};
        assertTrue(Glob.match(p, new byte[] {(byte) 0xE9, 1, 2}));
        assertFalse(Glob.match(p, new byte[] {(byte) 0xC9, 1, 2}, true)); // only ASCII folds
        byte[] buf = "xxuser:1000yy".getBytes(StandardCharsets.US_ASCII);
        byte[] pat = "[user:*]".getBytes(StandardCharsets.US_ASCII);
        assertTrue(Glob.match(pat, 1, 6, buf, 2, 9, false)); // "user:*" vs "user:1000"
        assertTrue(Glob.hasWildcards("a[b"));
        assertFalse(Glob.hasWildcards("maxmemory"));
    }

    @Test
    void pathologicalPatternIsFast() {
        String s = "a".repeat(60);
        String p = "a*".repeat(30) + "b";
        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> assertFalse(m(p, s)));
    }

    private static byte[] tok(String t) {
        return HexFormat.of().parseHex(t.substring(1));
    }

    /** Same answers as redis-server 7.0.15's KEYS for a set of keys and patterns (fixture recorded from it). */
    @Test
    void agreesWithRedisKeys() throws Exception {
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                GlobTest.class.getResourceAsStream("/glob/redis-7.0.15-keys-cases.txt"), StandardCharsets.US_ASCII))) {
            for (String l; (l = r.readLine()) != null; ) {
                if (!l.startsWith("#")) lines.add(l);
            }
        }
        List<byte[]> keys = new ArrayList<>();
        for (String t : lines.get(0).split(" ")) keys.add(tok(t));
        int cases = 0;
        for (String line : lines.subList(1, lines.size())) {
            String[] t = line.split(" ");
            byte[] pattern = tok(t[0]);
            Set<String> expected = new HashSet<>();
            for (int i = 1; i < t.length; i++) expected.add(t[i]);
            for (byte[] k : keys) {
                String hk = "=" + HexFormat.of().formatHex(k);
                boolean want = expected.contains(hk);
                if (Glob.match(pattern, k) != want) {
                    throw new AssertionError("pattern " + new String(pattern, StandardCharsets.UTF_8) + " key "
                            + new String(k, StandardCharsets.UTF_8) + " expected " + want);
                }
            }
            cases++;
        }
        assertTrue(cases > 40);
    }
}
