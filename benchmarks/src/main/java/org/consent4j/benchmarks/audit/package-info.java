/**
 * Measurement harnesses for issue 4: audit sink throughput and revocation latency across nodes.
 * Run with {@code mvn -pl benchmarks -am compile exec:java -Dexec.mainClass=...}; see
 * {@code docs/BENCHMARKS.md}.
 */
package org.consent4j.benchmarks.audit;
