package io.tandem.server.command;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Redis 7 key specifications, interpreted as {@code getKeysUsingKeySpecs} does: each spec finds
 * where its keys begin (an index, or after a keyword searched from an index) and then which
 * arguments are keys (a range with last key / step / limit, or a count argument followed by keys).
 */
final class KeySpecs {
    private record Spec(boolean keyword, int index, String word, int startFrom,
                        boolean keynum, int lastKey, int keyStep, int limit, int keynumIdx, int firstKey) {}

    private final Spec[] specs;

    private KeySpecs(Spec[] specs) {
        this.specs = specs;
    }

    @SuppressWarnings("unchecked")
    static KeySpecs parse(Object json) {
        List<Spec> out = new ArrayList<>();
        if (json instanceof List<?> list) {
            for (Object o : list) {
                Map<String, Object> m = (Map<String, Object>) o;
                Map<String, Object> bs = (Map<String, Object>) m.get("begin_search");
                Map<String, Object> fk = (Map<String, Object>) m.get("find_keys");
                Map<String, Object> bss = (Map<String, Object>) bs.get("spec");
                Map<String, Object> fks = (Map<String, Object>) fk.get("spec");
                boolean keyword = "keyword".equals(bs.get("type"));
                if (!keyword && !"index".equals(bs.get("type"))) continue; // "unknown": movable, handled by command
                boolean keynum = "keynum".equals(fk.get("type"));
                if (!keynum && !"range".equals(fk.get("type"))) continue;
                out.add(new Spec(keyword,
                        keyword ? 0 : num(bss.get("index")),
                        keyword ? (String) bss.get("keyword") : null,
                        keyword ? num(bss.get("startfrom")) : 0,
                        keynum,
                        keynum ? 0 : num(fks.get("lastkey")),
                        num(fks.get(keynum ? "keystep" : "keystep")),
                        keynum ? 0 : num(fks.get("limit")),
                        keynum ? num(fks.get("keynumidx")) : 0,
                        keynum ? num(fks.get("firstkey")) : 0));
            }
        }
        return new KeySpecs(out.toArray(new Spec[0]));
    }

    private static int num(Object o) {
        return o == null ? 0 : ((Number) o).intValue();
    }

    int[] positions(byte[][] argv, int firstKey, int lastKey, int keyStep) {
        int argc = argv.length;
        if (specs.length == 0) {
            if (firstKey <= 0) return new int[0];
            int last = lastKey < 0 ? argc + lastKey : lastKey;
            List<Integer> keys = new ArrayList<>();
            for (int i = firstKey; i <= last && i < argc; i += Math.max(1, keyStep)) keys.add(i);
            return keys.stream().mapToInt(Integer::intValue).toArray();
        }
        int[] keys = new int[argc];
        int n = 0;
        for (Spec s : specs) {
            int first;
            if (!s.keyword) {
                first = s.index;
            } else {
                first = -1;
                int start = s.startFrom > 0 ? s.startFrom : argc + s.startFrom;
                int end = s.startFrom > 0 ? argc - 1 : 0;
                int step = s.startFrom > 0 ? 1 : -1;
                for (int i = start; s.startFrom > 0 ? i <= end : i >= end; i += step) {
                    if (i <= 0 || i >= argc) break;
                    if (new String(argv[i], java.nio.charset.StandardCharsets.UTF_8).equalsIgnoreCase(s.word)) {
                        first = i + 1;
                        break;
                    }
                }
                if (first < 0) continue;
            }
            int last;
            int step;
            if (!s.keynum) {
                step = Math.max(1, s.keyStep);
                if (s.lastKey >= 0) {
                    last = first + s.lastKey;
                } else if (s.limit <= 1) {
                    last = argc + s.lastKey;
                } else {
                    last = first + ((argc - first) / s.limit + s.lastKey);
                }
            } else {
                int numIdx = first + s.keynumIdx;
                if (numIdx >= argc) continue;
                long count;
                try {
                    count = Long.parseLong(new String(argv[numIdx], java.nio.charset.StandardCharsets.US_ASCII));
                } catch (NumberFormatException e) {
                    continue;
                }
                if (count <= 0) continue;
                first = first + s.firstKey;
                step = Math.max(1, s.keyStep);
                last = first + (int) Math.min(count - 1, argc) * step;
            }
            for (int i = first; i <= last; i += step) {
                if (i >= argc || i <= 0) break;
                keys[n++] = i;
            }
        }
        return Arrays.copyOf(keys, n);
    }
}
