package io.tandem.server.command;

import io.tandem.server.Server;
import io.tandem.server.exec.Client;
import io.tandem.storage.keyspace.Database;
import io.tandem.storage.resp.RespWriter;

import java.nio.charset.StandardCharsets;

/**
 * What a handler sees of one command being executed: the client, the arguments, where the reply
 * goes, and the server. One instance, reused by the executor for every command (no allocation
 * per call); a handler must not keep it.
 */
public final class Call {
    public final Server server;
    public Client client;
    public byte[][] argv;
    public CommandSpec spec;
    public RespWriter out;

    public Call(Server server) {
        this.server = server;
    }

    public int argc() {
        return argv.length;
    }

    public byte[] arg(int i) {
        return argv[i];
    }

    public String str(int i) {
        return new String(argv[i], StandardCharsets.UTF_8);
    }

    /** The client's selected database. */
    public Database db() {
        return server.keyspace().db(client.db);
    }

    /** Case-insensitive comparison of argument i with an ASCII word. */
    public boolean is(int i, String word) {
        byte[] a = argv[i];
        if (a.length != word.length()) return false;
        for (int k = 0; k < a.length; k++) {
            int x = a[k];
            int y = word.charAt(k);
            if (x != y && (x | 0x20) != (y | 0x20)) return false;
            if (x != y && !Character.isLetter(y)) return false;
        }
        return true;
    }

    /** Argument i as a long, or {@code ERR value is not an integer or out of range}. */
    public long longArg(int i) {
        return Numbers.parseLong(argv[i]);
    }

    /** Argument i as a long with a specific error message. */
    public long longArg(int i, String error) {
        long v = Numbers.parseLongOr(argv[i], Long.MIN_VALUE, true);
        if (v == Long.MIN_VALUE && !Numbers.isLongMin(argv[i])) throw new CommandError(error);
        return v;
    }

    /** Argument i as a double, or {@code ERR value is not a valid float}. */
    public double doubleArg(int i) {
        return Numbers.parseDouble(argv[i]);
    }

    public long now() {
        return server.keyspace().now();
    }

    /** Replaces what is propagated to AOF and replicas for this command (the effect, not the request). */
    public void propagateAs(byte[]... effect) {
        server.propagation().rewrite(effect);
    }

    /** Adds a further command to propagate after this one (e.g. DEL of a key found expired). */
    public void alsoPropagate(int db, byte[]... effect) {
        server.propagation().also(db, effect);
    }

    /** Counts a change to the dataset (rdb_changes_since_last_save, propagation gate). */
    public void dirty(long n) {
        server.stats().dirty += n;
    }
}
