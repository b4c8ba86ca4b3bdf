package io.tandem.server.commands;

import io.tandem.server.KeyspaceEvents;
import io.tandem.server.command.Call;
import io.tandem.server.command.CommandError;
import io.tandem.server.command.CommandTable;
import io.tandem.server.command.Numbers;
import io.tandem.storage.keyspace.Database;
import io.tandem.storage.keyspace.Encoding;
import io.tandem.storage.keyspace.StoredValue;

import java.util.Arrays;

/**
 * Bit operations on strings (Redis 7.0's bitops.c): SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP,
 * BITFIELD, BITFIELD_RO.
 *
 * <p>Bit numbering as Redis: bit 0 is the most significant bit of byte 0. A string is an
 * infinite run of zero bits past its end; a write past the end grows it with zero bytes. Bit
 * offsets are limited to proto-max-bulk-len bytes (the master link is exempt). A string written
 * here is stored {@code raw}, as Redis unshares it before changing it in place.
 */
final class BitCommands {
    private BitCommands() {}

    static final String BIT_OFFSET_ERR = "ERR bit offset is not an integer or out of range";
    static final String BITFIELD_TYPE_ERR =
            "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";

    static void register(CommandTable t) {
        t.register("setbit", BitCommands::setbit);
        t.register("getbit", BitCommands::getbit);
        t.register("bitcount", BitCommands::bitcount);
        t.register("bitpos", BitCommands::bitpos);
        t.register("bitop", BitCommands::bitop);
        t.register("bitfield", c -> bitfield(c, false));
        t.register("bitfield_ro", c -> bitfield(c, true));
    }

    /**
     * Redis's getBitOffsetFromArgument: a bit offset, or with {@code hash} and a {@code #n}
     * argument n times the field width. Negative or beyond proto-max-bulk-len bytes is an error.
     */
    static long bitOffset(Call c, byte[] arg, boolean hash, int bits) {
        boolean useHash = hash && bits > 0 && arg.length > 0 && arg[0] == '#';
        byte[] digits = useHash ? Arrays.copyOfRange(arg, 1, arg.length) : arg;
        long v = Numbers.parseLongOr(digits, Long.MIN_VALUE, true);
        if (v == Long.MIN_VALUE && !Numbers.isLongMin(digits)) throw new CommandError(BIT_OFFSET_ERR);
        if (useHash) v *= bits;
        if (v < 0 || (c.client.kind != 2 && (v >> 3) >= c.server.settings().protoMaxBulkLen)) {
            throw new CommandError(BIT_OFFSET_ERR);
        }
        return v;
    }

    /** Redis's getObjectReadOnlyString: the bytes of a string value (an int is its decimal form). */
    private static byte[] readString(Call c, byte[] key) {
        return StringCommands.getString(c, key);
    }

    // ---------------------------------------------------------------- SETBIT / GETBIT

    static void setbit(Call c) {
        long offset = bitOffset(c, c.arg(2), false, 0);
        long on = c.longArg(3, "ERR bit is not an integer or out of range");
        if ((on & ~1L) != 0) throw new CommandError("ERR bit is not an integer or out of range");
        byte[] key = c.arg(1);
        StoredValue v = StringCommands.lookupWriteString(c, key);
        int byteIdx = (int) (offset >> 3);
        byte[] cur = v == null ? StringCommands.EMPTY : v.payload;
        boolean grows = cur.length < byteIdx + 1;
        byte[] s = grows ? Arrays.copyOf(cur, byteIdx + 1) : cur;
        int bit = 7 - (int) (offset & 7);
        int bitval = (s[byteIdx] >> bit) & 1;
        boolean changed = v == null || grows || bitval != on;
        if (changed) {
            s[byteIdx] = (byte) ((s[byteIdx] & ~(1 << bit)) | ((int) on << bit));
        }
        // Redis unshares (makes raw) the value even when the bit is already as asked.
        if (v == null) c.db().put(key, StoredValue.TYPE_STRING, Encoding.RAW, s, StoredValue.NO_EXPIRE);
        else if (changed || v.encoding != Encoding.RAW) StringCommands.putModified(c.db(), key, s);
        if (changed) {
            c.server.keyspaceEvents().notify(KeyspaceEvents.STRING, "setbit", key, c.client.db);
            c.dirty(1);
        }
        c.out.integer(bitval);
    }

    static void getbit(Call c) {
        long offset = bitOffset(c, c.arg(2), false, 0);
        byte[] s = readString(c, c.arg(1));
        long byteIdx = offset >> 3;
        int bitval = 0;
        if (s != null && byteIdx < s.length) bitval = (s[(int) byteIdx] >> (7 - (int) (offset & 7))) & 1;
        c.out.integer(bitval);
    }

    // ---------------------------------------------------------------- BITCOUNT / BITPOS

    /** BITCOUNT key [start end [BYTE|BIT]]. A missing key is 0 whatever the other arguments. */
    static void bitcount(Call c) {
        byte[] s = readString(c, c.arg(1));
        if (s == null) {
            c.out.integer(0);
            return;
        }
        int argc = c.argc();
        long start, end;
        boolean isBit = false;
        if (argc == 4 || argc == 5) {
            long totlen = s.length;
            start = c.longArg(2);
            end = c.longArg(3);
            if (start < 0 && end < 0 && start > end) {
                c.out.integer(0);
                return;
            }
            if (argc == 5) {
                if (c.is(4, "bit")) isBit = true;
                else if (!c.is(4, "byte")) throw CommandError.SYNTAX_ERROR;
            }
            if (isBit) totlen <<= 3;
            if (start < 0) start = totlen + start;
            if (end < 0) end = totlen + end;
            if (start < 0) start = 0;
            if (end < 0) end = 0;
            if (end >= totlen) end = totlen - 1;
        } else if (argc == 2) {
            start = 0;
            end = s.length - 1;
        } else {
            throw CommandError.SYNTAX_ERROR;
        }
        if (start > end) {
            c.out.integer(0);
            return;
        }
        int firstMask = 0, lastMask = 0; // bits of the edge bytes outside a BIT range
        if (isBit) {
            firstMask = ~((1 << (8 - (int) (start & 7))) - 1) & 0xFF;
            lastMask = (1 << (7 - (int) (end & 7))) - 1;
            start >>= 3;
            end >>= 3;
        }
        long count = 0;
        for (int i = (int) start; i <= end; i++) count += Integer.bitCount(s[i] & 0xFF);
        count -= Integer.bitCount(s[(int) start] & firstMask) + Integer.bitCount(s[(int) end] & lastMask);
        c.out.integer(count);
    }

    /**
     * BITPOS key bit [start [end [BYTE|BIT]]]. A missing key is all zeros: 0 for a clear bit,
     * -1 for a set one. Not found in range: -1, except for a clear bit without an explicit end,
     * where the string is taken as zero-padded and the answer is the first bit past it.
     */
    static void bitpos(Call c) {
        long bit = c.longArg(2);
        if (bit != 0 && bit != 1) throw new CommandError("ERR The bit argument must be 1 or 0.");
        StoredValue v = StringCommands.lookupRead(c, c.arg(1));
        if (v == null) {
            c.out.integer(bit == 1 ? -1 : 0);
            return;
        }
        if (v.type != StoredValue.TYPE_STRING) throw CommandError.WRONG_TYPE;
        byte[] s = v.payload;
        int argc = c.argc();
        long start, end;
        boolean isBit = false, endGiven = false;
        if (argc == 4 || argc == 5 || argc == 6) {
            long totlen = s.length;
            start = c.longArg(3);
            if (argc == 6) {
                if (c.is(5, "bit")) isBit = true;
                else if (!c.is(5, "byte")) throw CommandError.SYNTAX_ERROR;
            }
            if (argc >= 5) {
                end = c.longArg(4);
                endGiven = true;
            } else {
                end = totlen - 1;
            }
            if (isBit) totlen <<= 3;
            if (start < 0) start = totlen + start;
            if (end < 0) end = totlen + end;
            if (start < 0) start = 0;
            if (end < 0) end = 0;
            if (end >= totlen) end = totlen - 1;
        } else if (argc == 3) {
            start = 0;
            end = s.length - 1;
        } else {
            throw CommandError.SYNTAX_ERROR;
        }
        if (start > end) {
            c.out.integer(-1);
            return;
        }
        long firstBit = isBit ? start : start << 3;
        long lastBit = isBit ? end : (end << 3) + 7;
        int skip = bit == 1 ? 0 : 0xFF; // a whole byte of these holds no match
        for (long b = firstBit; b <= lastBit; b++) {
            if ((b & 7) == 0 && b + 7 <= lastBit && (s[(int) (b >> 3)] & 0xFF) == skip) {
                b += 7;
                continue;
            }
            if (((s[(int) (b >> 3)] >> (7 - (int) (b & 7))) & 1) == bit) {
                c.out.integer(b);
                return;
            }
        }
        c.out.integer(bit == 0 && !endGiven ? lastBit + 1 : -1);
    }

    // ---------------------------------------------------------------- BITOP

    /**
     * BITOP AND|OR|XOR|NOT destkey key [key ...]: missing sources are empty strings, shorter ones
     * zero-padded. An empty result deletes destkey (whatever its type).
     */
    static void bitop(Call c) {
        int op;
        if (c.is(1, "and")) op = 0;
        else if (c.is(1, "or")) op = 1;
        else if (c.is(1, "xor")) op = 2;
        else if (c.is(1, "not")) op = 3;
        else throw CommandError.SYNTAX_ERROR;
        if (op == 3 && c.argc() != 4) throw new CommandError("ERR BITOP NOT must be called with a single source key.");
        int n = c.argc() - 3;
        byte[][] src = new byte[n][];
        int maxlen = 0;
        for (int j = 0; j < n; j++) {
            byte[] s = readString(c, c.arg(j + 3));
            src[j] = s == null ? StringCommands.EMPTY : s;
            maxlen = Math.max(maxlen, src[j].length);
        }
        byte[] dest = c.arg(2);
        Database db = c.db();
        if (maxlen > 0) {
            byte[] res = new byte[maxlen];
            for (int i = 0; i < maxlen; i++) {
                int out = i < src[0].length ? src[0][i] & 0xFF : 0;
                if (op == 3) out = ~out;
                for (int j = 1; j < n; j++) {
                    int x = i < src[j].length ? src[j][i] & 0xFF : 0;
                    if (op == 0) out &= x;
                    else if (op == 1) out |= x;
                    else out ^= x;
                }
                res[i] = (byte) out;
            }
            db.put(dest, StoredValue.TYPE_STRING, Encoding.RAW, res, StoredValue.NO_EXPIRE);
            c.server.keyspaceEvents().notify(KeyspaceEvents.STRING, "set", dest, c.client.db);
            c.dirty(1);
        } else if (db.delete(dest)) {
            c.server.keyspaceEvents().notify(KeyspaceEvents.GENERIC, "del", dest, c.client.db);
            c.dirty(1);
        }
        c.out.integer(maxlen);
    }

    // ---------------------------------------------------------------- BITFIELD

    private static final int GET = 0, SET = 1, INCRBY = 2;
    private static final int WRAP = 0, SAT = 1, FAIL = 2;

    /** One parsed BITFIELD operation. */
    private record Op(int opcode, long offset, long value, int owtype, int bits, boolean signed) {}

    /**
     * BITFIELD key [GET type offset] [SET type offset value] [INCRBY type offset incr]
     * [OVERFLOW WRAP|SAT|FAIL] ... All operations are parsed (and every argument checked)
     * before any runs; then the key is read, or for writes grown to the highest bit written.
     * A FAIL overflow replies nil for that operation and writes nothing.
     */
    static void bitfield(Call c, boolean readOnlyCommand) {
        int argc = c.argc();
        Op[] ops = new Op[argc];
        int numOps = 0;
        int owtype = WRAP;
        boolean readonly = true;
        long highestWrite = 0;
        for (int j = 2; j < argc; j++) {
            int rem = argc - j - 1;
            int opcode;
            if (c.is(j, "get") && rem >= 2) {
                opcode = GET;
            } else if (c.is(j, "set") && rem >= 3) {
                opcode = SET;
            } else if (c.is(j, "incrby") && rem >= 3) {
                opcode = INCRBY;
            } else if (c.is(j, "overflow") && rem >= 1) {
                j++;
                if (c.is(j, "wrap")) owtype = WRAP;
                else if (c.is(j, "sat")) owtype = SAT;
                else if (c.is(j, "fail")) owtype = FAIL;
                else throw new CommandError("ERR Invalid OVERFLOW type specified");
                continue;
            } else {
                throw CommandError.SYNTAX_ERROR;
            }
            byte[] type = c.arg(j + 1);
            boolean signed;
            if (type.length > 0 && type[0] == 'i') signed = true;
            else if (type.length > 0 && type[0] == 'u') signed = false;
            else throw new CommandError(BITFIELD_TYPE_ERR);
            int nul = 1;
            while (nul < type.length && type[nul] != 0) nul++; // C reads the width up to a NUL
            long bits = Numbers.parseLongOr(Arrays.copyOfRange(type, 1, nul), -1, true);
            if (bits < 1 || (signed && bits > 64) || (!signed && bits > 63)) throw new CommandError(BITFIELD_TYPE_ERR);
            long offset = bitOffset(c, c.arg(j + 2), true, (int) bits);
            long value = 0;
            if (opcode != GET) {
                readonly = false;
                if (Long.compareUnsigned(highestWrite, offset + bits - 1) < 0) highestWrite = offset + bits - 1;
                value = c.longArg(j + 3);
            }
            ops[numOps++] = new Op(opcode, offset, value, owtype, (int) bits, signed);
            j += opcode == GET ? 2 : 3;
        }
        byte[] key = c.arg(1);
        byte[] s;
        StoredValue v;
        if (readonly) {
            v = StringCommands.lookupRead(c, key);
            if (v != null && v.type != StoredValue.TYPE_STRING) throw CommandError.WRONG_TYPE;
            s = v == null ? null : v.payload;
        } else {
            if (readOnlyCommand) throw new CommandError("ERR BITFIELD_RO only supports the GET subcommand");
            v = StringCommands.lookupWriteString(c, key);
            byte[] cur = v == null ? StringCommands.EMPTY : v.payload;
            int need = (int) ((highestWrite >>> 3) + 1);
            s = cur.length >= need ? cur : Arrays.copyOf(cur, need);
        }
        c.out.array(numOps);
        int changes = 0;
        for (int k = 0; k < numOps; k++) {
            Op op = ops[k];
            if (op.opcode == GET) {
                long val = s == null ? 0 : getField(s, op.offset, op.bits, op.signed);
                c.out.integer(val);
                continue;
            }
            changes++;
            long old = getField(s, op.offset, op.bits, op.signed);
            long[] wrapped = new long[1];
            long newval, retval;
            boolean overflow;
            if (op.signed) {
                if (op.opcode == INCRBY) {
                    overflow = signedOverflow(old, op.value, op.bits, op.owtype, wrapped) != 0;
                    newval = overflow ? wrapped[0] : old + op.value;
                    retval = newval;
                } else {
                    newval = op.value;
                    overflow = signedOverflow(newval, 0, op.bits, op.owtype, wrapped) != 0;
                    if (overflow) newval = wrapped[0];
                    retval = old;
                }
            } else {
                if (op.opcode == INCRBY) {
                    newval = old + op.value;
                    overflow = unsignedOverflow(old, op.value, op.bits, op.owtype, wrapped) != 0;
                    if (overflow) newval = wrapped[0];
                    retval = newval;
                } else {
                    newval = op.value;
                    overflow = unsignedOverflow(newval, 0, op.bits, op.owtype, wrapped) != 0;
                    if (overflow) newval = wrapped[0];
                    retval = old;
                }
            }
            if (overflow && op.owtype == FAIL) {
                c.out.nullBulk();
            } else {
                c.out.integer(retval);
                setField(s, op.offset, op.bits, newval);
            }
        }
        if (!readonly) {
            // The key is created (or unshared to raw) even when every write failed on overflow.
            if (v == null) c.db().put(key, StoredValue.TYPE_STRING, Encoding.RAW, s, StoredValue.NO_EXPIRE);
            else StringCommands.putModified(c.db(), key, s);
        }
        if (changes > 0) {
            c.server.keyspaceEvents().notify(KeyspaceEvents.STRING, "setbit", key, c.client.db);
            c.dirty(changes);
        }
    }

    /** getUnsignedBitfield / getSignedBitfield, reading zeros past the end of s. */
    static long getField(byte[] s, long offset, int bits, boolean signed) {
        long value = 0;
        for (int j = 0; j < bits; j++, offset++) {
            long byteIdx = offset >>> 3;
            int b = byteIdx < s.length ? (s[(int) byteIdx] >> (7 - (int) (offset & 7))) & 1 : 0;
            value = (value << 1) | b;
        }
        if (signed && bits < 64 && (value & (1L << (bits - 1))) != 0) value |= -1L << bits;
        return value;
    }

    /** setUnsignedBitfield: writes the low {@code bits} bits of value, most significant first. */
    static void setField(byte[] s, long offset, int bits, long value) {
        for (int j = 0; j < bits; j++, offset++) {
            long bitval = (value >>> (bits - 1 - j)) & 1;
            int byteIdx = (int) (offset >>> 3);
            int bit = 7 - (int) (offset & 7);
            s[byteIdx] = (byte) ((s[byteIdx] & ~(1 << bit)) | (bitval << bit));
        }
    }

    /** checkUnsignedBitfieldOverflow: 1 overflow, -1 underflow, 0 fine; the value to store in limit[0]. */
    static int unsignedOverflow(long value, long incr, int bits, int owtype, long[] limit) {
        long max = bits == 64 ? -1L : (1L << bits) - 1;
        long maxincr = max - value;
        long minincr = -value;
        if (Long.compareUnsigned(value, max) > 0 || (incr > 0 && incr > maxincr)) {
            if (owtype == WRAP) limit[0] = (value + incr) & ~(-1L << bits);
            else if (owtype == SAT) limit[0] = max;
            return 1;
        } else if (incr < 0 && incr < minincr) {
            if (owtype == WRAP) limit[0] = (value + incr) & ~(-1L << bits);
            else if (owtype == SAT) limit[0] = 0;
            return -1;
        }
        return 0;
    }

    /** checkSignedBitfieldOverflow: 1 overflow, -1 underflow, 0 fine; the value to store in limit[0]. */
    static int signedOverflow(long value, long incr, int bits, int owtype, long[] limit) {
        long max = bits == 64 ? Long.MAX_VALUE : (1L << (bits - 1)) - 1;
        long min = -max - 1;
        long maxincr = max - value;
        long minincr = min - value;
        int r;
        if (value > max || (bits != 64 && incr > maxincr) || (value >= 0 && incr > 0 && incr > maxincr)) {
            r = 1;
            if (owtype == SAT) limit[0] = max;
        } else if (value < min || (bits != 64 && incr < minincr) || (value < 0 && incr < 0 && incr < minincr)) {
            r = -1;
            if (owtype == SAT) limit[0] = min;
        } else {
            return 0;
        }
        if (owtype == WRAP) {
            long sum = value + incr;
            if (bits < 64) {
                long mask = -1L << bits;
                sum = (sum & (1L << (bits - 1))) != 0 ? sum | mask : sum & ~mask;
            }
            limit[0] = sum;
        }
        return r;
    }
}
