package org.consent4j.core.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.consent4j.AuditEvent;
import org.consent4j.AuditRecord;
import org.junit.jupiter.api.Test;

/**
 * Each thread encodes into a buffer of its own: threads hashing different events at the same time,
 * some of them outgrowing the buffer, get exactly the hashes one thread alone computes.
 */
final class AuditChainConcurrencyTest {

  @Test
  void threadsHashingAtOnceGetTheHashesOneThreadComputes() throws Exception {
    int threads = 6;
    int perThread = 2_000;
    List<List<AuditEvent>> events = new ArrayList<>();
    List<List<String>> expected = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      List<AuditEvent> mine = new ArrayList<>();
      List<String> hashes = new ArrayList<>();
      for (int i = 0; i < perThread; i++) {
        AuditEvent e = Events.event(t * perThread + i);
        if (i % 7 == 0) { // a long operation: this record outgrows the encoder's first buffer
          e = new AuditEvent(e.time(), e.actor(), e.purpose(), e.recipient(), "op-" + "y".repeat(500) + i % 10,
              e.subjects(), e.categories(), e.outcome(), e.reason(), e.stateVersion(), e.details());
        }
        mine.add(e);
        hashes.add(AuditChain.hash(i + 1, AuditRecord.GENESIS, e));
      }
      events.add(mine);
      expected.add(hashes);
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<List<String>>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        List<AuditEvent> mine = events.get(t);
        results.add(pool.submit(() -> {
          go.await();
          List<String> hashes = new ArrayList<>();
          for (int i = 0; i < mine.size(); i++) {
            hashes.add(AuditChain.hash(i + 1, AuditRecord.GENESIS, mine.get(i)));
          }
          return hashes;
        }));
      }
      go.countDown();
      for (int t = 0; t < threads; t++) {
        List<String> got = results.get(t).get(60, TimeUnit.SECONDS);
        assertEquals(perThread, got.size());
        for (int i = 0; i < perThread; i++) {
          assertEquals(expected.get(t).get(i), got.get(i), "thread " + t + ", event " + i);
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
