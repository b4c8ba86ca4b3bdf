/** The replication stream, its backlog, and the master and replica sides of PSYNC2. */
package io.tandem.replication;
