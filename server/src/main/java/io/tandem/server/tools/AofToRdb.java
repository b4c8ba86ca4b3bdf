package io.tandem.server.tools;

import java.io.PrintStream;

/** {@code tandem-rdb aof-to-rdb}: not yet. */
final class AofToRdb {
    private AofToRdb() {}

    static int main(String[] args, PrintStream err, PrintStream progress) {
        err.println("tandem-rdb: aof-to-rdb is not implemented yet");
        return 1;
    }
}
