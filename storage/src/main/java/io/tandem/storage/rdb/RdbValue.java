package io.tandem.storage.rdb;

import io.tandem.storage.collection.Listpack;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A value as the RDB format carries it, independent of how Tandem's keyspace stores it: what
 * {@link RdbValueReader} produces and {@link RdbValueWriter} consumes. A server-side adapter
 * turns it into keyspace records (and back).
 *
 * <p>Collections carry either their elements as Java lists or, on the fast path, the compact
 * bytes Redis wrote ({@code listpack} / {@code intset}) when those are exactly what Tandem
 * stores off-heap: the reader then validates the bytes but does not decode them, and the
 * adapter can store them as they are. The accessors for elements decode on demand, so callers
 * that do not care about the fast path never see it.
 *
 * <p>Byte arrays are shared, not copied: a value must not be changed after it is built.
 */
public sealed interface RdbValue permits RdbValue.RdbString, RdbValue.RdbList, RdbValue.RdbSet, RdbValue.RdbZSet, RdbValue.RdbHash {

    /** Number of elements (1 for a string). */
    int size();

    /** A string. */
    record RdbString(byte[] value) implements RdbValue {
        @Override
        public int size() {
            return 1;
        }
    }

    /**
     * A list: {@code listpack} when the RDB held the whole list as one listpack node (the form
     * a small Tandem list takes), else the elements head to tail.
     */
    record RdbList(byte[] listpack, List<byte[]> elementList) implements RdbValue {
        public static RdbList ofListpack(byte[] lp) {
            return new RdbList(lp, null);
        }

        public static RdbList of(List<byte[]> elements) {
            return new RdbList(null, elements);
        }

        public List<byte[]> elements() {
            return elementList != null ? elementList : Listpack.decode(listpack);
        }

        @Override
        public int size() {
            return elementList != null ? elementList.size() : Listpack.count(listpack);
        }
    }

    /**
     * A set: {@code intset} bytes (Redis's intset: encoding:4 LE, length:4 LE, sorted LE
     * integers), {@code listpack} bytes (7.2), or the members.
     */
    record RdbSet(byte[] intset, byte[] listpack, List<byte[]> memberList) implements RdbValue {
        public static RdbSet ofIntset(byte[] is) {
            return new RdbSet(is, null, null);
        }

        public static RdbSet of(List<byte[]> members) {
            return new RdbSet(null, null, members);
        }

        public List<byte[]> members() {
            if (memberList != null) return memberList;
            if (listpack != null) return Listpack.decode(listpack);
            return Intsets.decode(intset);
        }

        @Override
        public int size() {
            if (memberList != null) return memberList.size();
            if (listpack != null) return Listpack.count(listpack);
            return Intsets.length(intset);
        }
    }

    /**
     * A sorted set: {@code listpack} bytes (member, score, member, score ... with scores as
     * listpack strings or integers, exactly Redis's small zset), or members with their scores.
     */
    record RdbZSet(byte[] listpack, List<byte[]> memberList, double[] scoreArray) implements RdbValue {
        public static RdbZSet ofListpack(byte[] lp) {
            return new RdbZSet(lp, null, null);
        }

        public static RdbZSet of(List<byte[]> members, double[] scores) {
            if (members.size() != scores.length) throw new IllegalArgumentException("members and scores differ in number");
            return new RdbZSet(null, members, scores);
        }

        /** Members in the order stored. */
        public List<byte[]> members() {
            if (memberList != null) return memberList;
            List<byte[]> all = Listpack.decode(listpack);
            List<byte[]> m = new ArrayList<>(all.size() / 2);
            for (int i = 0; i < all.size(); i += 2) m.add(all.get(i));
            return m;
        }

        /** Scores, parallel to {@link #members()}. */
        public double[] scores() {
            if (scoreArray != null) return scoreArray;
            List<byte[]> all = Listpack.decode(listpack);
            double[] s = new double[all.size() / 2];
            for (int i = 1; i < all.size(); i += 2) s[i / 2] = parseScore(all.get(i));
            return s;
        }

        @Override
        public int size() {
            return memberList != null ? memberList.size() : Listpack.count(listpack) / 2;
        }

        static double parseScore(byte[] s) {
            String t = new String(s, StandardCharsets.US_ASCII);
            return switch (t.toLowerCase()) {
                case "inf", "+inf", "infinity", "+infinity" -> Double.POSITIVE_INFINITY;
                case "-inf", "-infinity" -> Double.NEGATIVE_INFINITY;
                default -> Double.parseDouble(t);
            };
        }
    }

    /** A hash: {@code listpack} bytes (field, value, field, value ...), or the pairs flattened the same way. */
    record RdbHash(byte[] listpack, List<byte[]> pairList) implements RdbValue {
        public static RdbHash ofListpack(byte[] lp) {
            return new RdbHash(lp, null);
        }

        /** From field, value, field, value ... */
        public static RdbHash of(List<byte[]> fieldsAndValues) {
            if ((fieldsAndValues.size() & 1) != 0) throw new IllegalArgumentException("odd number of hash elements");
            return new RdbHash(null, fieldsAndValues);
        }

        /** field, value, field, value ... */
        public List<byte[]> pairs() {
            return pairList != null ? pairList : Listpack.decode(listpack);
        }

        @Override
        public int size() {
            return pairList != null ? pairList.size() / 2 : Listpack.count(listpack) / 2;
        }
    }
}
