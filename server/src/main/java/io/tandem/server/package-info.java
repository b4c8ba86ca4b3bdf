/** The Redis-compatible server: network front end, configuration, executor and commands. */
package io.tandem.server;
