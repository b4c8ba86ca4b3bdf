package io.tandem.perf;

import io.tandem.server.testing.TandemTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** tandem-benchmark against Tandem itself (in-process server on a free port, DEBUG enabled). */
class BenchmarkAgainstTandemTest extends BenchmarkContract {
    static TandemTestServer tandem;

    @BeforeAll
    static void startTandem() {
        System.setProperty("java.awt.headless", "true");
        tandem = TandemTestServer.start();
    }

    @AfterAll
    static void stopTandem() {
        if (tandem != null) tandem.close();
    }

    @Override
    int serverPort() {
        return tandem.port();
    }
}
