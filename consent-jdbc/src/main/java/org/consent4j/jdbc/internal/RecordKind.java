package org.consent4j.jdbc.internal;

import org.consent4j.ConsentRecord;
import org.consent4j.Grant;
import org.consent4j.GrantWithdrawal;
import org.consent4j.Objection;
import org.consent4j.Withdrawal;

/** The {@code kind} column of the ledger table: one letter per record type. Not API. */
enum RecordKind {
  GRANT('G'),
  WITHDRAWAL('W'),
  OBJECTION('O');

  private final char code;

  RecordKind(char code) {
    this.code = code;
  }

  char code() {
    return code;
  }

  static RecordKind of(ConsentRecord record) {
    if (record instanceof Grant) {
      return GRANT;
    }
    if (record instanceof Withdrawal || record instanceof GrantWithdrawal) {
      // one kind for both forms: the detail table (withdrawal or grant_withdrawal) tells them apart
      return WITHDRAWAL;
    }
    if (record instanceof Objection) {
      return OBJECTION;
    }
    throw new AssertionError("unknown record type " + record.getClass());
  }

  /** @throws IllegalArgumentException for a code that is none of G, W, O */
  static RecordKind of(String code) {
    if (code != null && code.length() == 1) {
      for (RecordKind k : values()) {
        if (k.code == code.charAt(0)) {
          return k;
        }
      }
    }
    throw new IllegalArgumentException("unknown ledger kind '" + code + "'");
  }
}
