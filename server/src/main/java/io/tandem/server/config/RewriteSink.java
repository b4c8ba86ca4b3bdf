package io.tandem.server.config;

/** What a directive emits during CONFIG REWRITE (Redis's rewriteConfigRewriteLine / MarkAsProcessed). */
interface RewriteSink {
    /** Replace the next old line of {@code option}, or append {@code line} when there is none and {@code force}. */
    void line(String option, String line, boolean force);

    /** The option was handled: its remaining old lines get blanked. */
    void processed(String option);
}
