package org.consent4j;

/** The outcome of a decision or an audited access. */
public enum Outcome {
  /** Everything asked for was permitted. */
  PERMIT,
  /** The subject's data was released, but some data categories were withheld or masked. */
  PARTIAL,
  /** Nothing was released. */
  DENY
}
