/** tandem-benchmark and JMH benchmarks. */
package io.tandem.perf;
