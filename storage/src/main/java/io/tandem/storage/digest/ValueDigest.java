package io.tandem.storage.digest;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * The digest contribution of one value, as Redis 7.0's {@code xorObjectDigest} in {@code debug.c}
 * computes it, fed from plain data so that any store can produce it.
 *
 * <p>Redis computes a value's digest by continuing to mix into a running 20-byte state: for
 * {@code DEBUG DIGEST} that state already holds the key ({@code mixDigest(zero, key)}); for
 * {@code DEBUG DIGEST-VALUE} it starts at zero. A {@code ValueDigest} therefore is not a fixed 20
 * bytes but something that can be applied to a starting state: see {@link #digest(boolean)} for
 * DIGEST-VALUE and {@link DatasetDigest#key} for the dataset digest.
 *
 * <p>What is mixed, per type (with {@code mix(s,x) = SHA1(s ^ SHA1(x))}, {@code xor(s,x) = s ^
 * SHA1(x)}):
 * <ol>
 *   <li>always first: {@code mix(htonl(type))}, type being Redis's OBJ_* number (string 0, list 1,
 *       set 2, zset 3, hash 4, stream 6);</li>
 *   <li>string: {@code mix(value)} of the string representation: an int-encoded string is its
 *       decimal text, so {@link #string(long)} equals {@code string("<decimal>")};</li>
 *   <li>list: {@code mix(element)} for each element, head to tail (order matters);</li>
 *   <li>set: {@code xor(member)} for each member (order-free; intset members as decimal);</li>
 *   <li>zset: for each member {@code xor(e)} with {@code e = mix(mix(0, member), "%.17g"(score))}
 *       (order-free; see {@link ScoreFormat}). Note {@code xor(e)} xors {@code SHA1(e)}, not e:
 *       Redis calls {@code xorDigest(digest, eledigest, 20)}, which hashes its input;</li>
 *   <li>hash: for each pair {@code xor(e)} with {@code e = mix(mix(0, field), value)}
 *       (order-free, and again SHA1(e) is what gets xor'd);</li>
 *   <li>stream: for each entry in id order, {@code mix("<ms>.<seq>")} then {@code mix(field)},
 *       {@code mix(value)} for each pair in the entry's order. Consumer groups, last-id, etc. are
 *       not part of the digest;</li>
 *   <li>last, if the key has a TTL: {@code xor("!!expire!!")} - only the presence of an expire
 *       counts, never its value.</li>
 * </ol>
 *
 * <p>Instances are immutable and thread-safe, except {@link #list(Iterable)}, which re-reads the
 * given iterable each time it is applied.
 */
public abstract class ValueDigest {
    public static final int TYPE_STRING = 0;
    public static final int TYPE_LIST = 1;
    public static final int TYPE_SET = 2;
    public static final int TYPE_ZSET = 3;
    public static final int TYPE_HASH = 4;
    public static final int TYPE_STREAM = 6;

    private static final byte[] EXPIRE_MARK = "!!expire!!".getBytes(StandardCharsets.US_ASCII);

    private final int type;

    ValueDigest(int type) {
        this.type = type;
    }

    /** Redis object type number of the value. */
    public final int type() {
        return type;
    }

    /** Mixes this value's content (after the type tag) into the state. */
    abstract void mixContent(byte[] state);

    /** {@code xorObjectDigest}: type tag, content, expire mark, continuing from {@code state}. */
    final void applyTo(byte[] state, boolean hasExpire) {
        Sha1.mixDigest(state, Sha1.htonl(type));
        mixContent(state);
        if (hasExpire) {
            Sha1.xorDigest(state, EXPIRE_MARK);
        }
    }

    /**
     * What {@code DEBUG DIGEST-VALUE key} answers for a key holding this value: the value's digest
     * from a zero state, the key itself not included, the expire mark if the key has a TTL.
     */
    public final byte[] digest(boolean hasExpire) {
        byte[] state = new byte[Sha1.LEN];
        applyTo(state, hasExpire);
        return state;
    }

    /** {@link #digest(boolean)} as 40 lowercase hex characters, as Redis prints it. */
    public final String hex(boolean hasExpire) {
        return DatasetDigest.toHex(digest(hasExpire));
    }

    // ---------------------------------------------------------------- strings

    /** A string value, its bytes as stored. */
    public static ValueDigest string(byte[] value) {
        return new Ordered(TYPE_STRING, new byte[][] {Sha1.hash(value)});
    }

    /** An int-encoded string: digested as its decimal representation, as Redis does. */
    public static ValueDigest string(long value) {
        return string(decimal(value));
    }

    // ---------------------------------------------------------------- lists

    /**
     * A list, elements head to tail. Lazy: the iterable is walked each time the digest is
     * applied, nothing is copied, so it must yield the same elements each time.
     */
    public static ValueDigest list(Iterable<byte[]> elements) {
        Objects.requireNonNull(elements, "elements");
        return new ValueDigest(TYPE_LIST) {
            @Override
            void mixContent(byte[] state) {
                for (byte[] e : elements) {
                    Sha1.mixDigest(state, e);
                }
            }
        };
    }

    /** Push-style list builder (keeps 20 bytes per element until built). */
    public static ListBuilder listBuilder() {
        return new ListBuilder();
    }

    // ---------------------------------------------------------------- sets

    /** A set, members in any order. */
    public static ValueDigest set(Iterable<byte[]> members) {
        SetBuilder b = setBuilder();
        for (byte[] m : members) {
            b.add(m);
        }
        return b.build();
    }

    public static SetBuilder setBuilder() {
        return new SetBuilder();
    }

    // ---------------------------------------------------------------- sorted sets

    public static ZSetBuilder zsetBuilder() {
        return new ZSetBuilder();
    }

    /** A sorted set from member -&gt; score entries, in any order. */
    public static ValueDigest zset(Iterable<? extends Map.Entry<byte[], Double>> entries) {
        ZSetBuilder b = zsetBuilder();
        for (Map.Entry<byte[], Double> e : entries) {
            b.add(e.getKey(), e.getValue());
        }
        return b.build();
    }

    // ---------------------------------------------------------------- hashes

    public static HashBuilder hashBuilder() {
        return new HashBuilder();
    }

    /** A hash from field -&gt; value entries, in any order. */
    public static ValueDigest hash(Iterable<? extends Map.Entry<byte[], byte[]>> entries) {
        HashBuilder b = hashBuilder();
        for (Map.Entry<byte[], byte[]> e : entries) {
            b.put(e.getKey(), e.getValue());
        }
        return b.build();
    }

    // ---------------------------------------------------------------- streams

    /** Stream entries, to be added in id order. */
    public static StreamBuilder streamBuilder() {
        return new StreamBuilder();
    }

    // ---------------------------------------------------------------- builders

    /** Collects list elements in order. */
    public static final class ListBuilder {
        private final HashSeq seq = new HashSeq();

        private ListBuilder() {}

        public ListBuilder add(byte[] element) {
            seq.add(Sha1.hash(element));
            return this;
        }

        /** An element Redis holds as an integer (listpack int): its decimal text. */
        public ListBuilder add(long element) {
            return add(decimal(element));
        }

        public ValueDigest build() {
            return new Ordered(TYPE_LIST, seq.toArray());
        }
    }

    /** Collects set members, order-free; keeps only 20 bytes of state. */
    public static final class SetBuilder {
        private final byte[] acc = new byte[Sha1.LEN];

        private SetBuilder() {}

        public SetBuilder add(byte[] member) {
            Sha1.xorDigest(acc, member);
            return this;
        }

        /** An intset member: its decimal text. */
        public SetBuilder add(long member) {
            return add(decimal(member));
        }

        public ValueDigest build() {
            return new Unordered(TYPE_SET, acc.clone());
        }
    }

    /** Collects sorted-set members with their scores, order-free; keeps only 20 bytes. */
    public static final class ZSetBuilder {
        private final byte[] acc = new byte[Sha1.LEN];

        private ZSetBuilder() {}

        public ZSetBuilder add(byte[] member, double score) {
            byte[] e = new byte[Sha1.LEN];
            Sha1.mixDigest(e, member);
            Sha1.mixDigest(e, ScoreFormat.g17(score).getBytes(StandardCharsets.US_ASCII));
            Sha1.xorDigest(acc, e); // xorDigest(digest, eledigest, 20): xors SHA1(eledigest)
            return this;
        }

        public ValueDigest build() {
            return new Unordered(TYPE_ZSET, acc.clone());
        }
    }

    /** Collects hash field/value pairs, order-free; keeps only 20 bytes. */
    public static final class HashBuilder {
        private final byte[] acc = new byte[Sha1.LEN];

        private HashBuilder() {}

        public HashBuilder put(byte[] field, byte[] value) {
            byte[] e = new byte[Sha1.LEN];
            Sha1.mixDigest(e, field);
            Sha1.mixDigest(e, value);
            Sha1.xorDigest(acc, e); // xorDigest(digest, eledigest, 20): xors SHA1(eledigest)
            return this;
        }

        public ValueDigest build() {
            return new Unordered(TYPE_HASH, acc.clone());
        }
    }

    /** Collects stream entries; must be given in ascending id order, as XRANGE - + returns them. */
    public static final class StreamBuilder {
        private final HashSeq seq = new HashSeq();

        private StreamBuilder() {}

        /**
         * One entry: id {@code ms-seq} (both unsigned 64-bit) and its field/value pairs in the
         * entry's order: {@code field1, value1, field2, value2, ...}.
         */
        public StreamBuilder entry(long ms, long seqNo, byte[]... fieldsAndValues) {
            if ((fieldsAndValues.length & 1) != 0) {
                throw new IllegalArgumentException("fields and values must come in pairs");
            }
            // Redis: sdscatfmt("%U.%U", id.ms, id.seq) - note the dot, not the dash of XADD ids.
            String id = Long.toUnsignedString(ms) + '.' + Long.toUnsignedString(seqNo);
            seq.add(Sha1.hash(id.getBytes(StandardCharsets.US_ASCII)));
            for (byte[] fv : fieldsAndValues) {
                seq.add(Sha1.hash(fv));
            }
            return this;
        }

        public ValueDigest build() {
            return new Ordered(TYPE_STREAM, seq.toArray());
        }
    }

    // ---------------------------------------------------------------- internals

    static byte[] decimal(long v) {
        return Long.toString(v).getBytes(StandardCharsets.US_ASCII);
    }

    /** A value whose content is a sequence of mixDigest calls, kept as the SHA-1s of the data. */
    private static final class Ordered extends ValueDigest {
        private final byte[][] hashes;

        Ordered(int type, byte[][] hashes) {
            super(type);
            this.hashes = hashes;
        }

        @Override
        void mixContent(byte[] state) {
            for (byte[] h : hashes) {
                Sha1.mixHash(state, h);
            }
        }
    }

    /** A value whose content is xor'd in: the xor of its elements' digests is all we need. */
    private static final class Unordered extends ValueDigest {
        private final byte[] acc;

        Unordered(int type, byte[] acc) {
            super(type);
            this.acc = acc;
        }

        @Override
        void mixContent(byte[] state) {
            Sha1.xorInto(state, acc);
        }
    }

    /** Growable array of 20-byte hashes. */
    private static final class HashSeq {
        private byte[][] items = new byte[8][];
        private int size;

        void add(byte[] h) {
            if (size == items.length) {
                items = Arrays.copyOf(items, size * 2);
            }
            items[size++] = h;
        }

        byte[][] toArray() {
            return Arrays.copyOf(items, size);
        }
    }
}
