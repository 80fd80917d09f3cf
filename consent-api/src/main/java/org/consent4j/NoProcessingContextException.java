package org.consent4j;

/** Protected data was accessed with no {@link AccessContext}: no purpose, no access. */
public class NoProcessingContextException extends ConsentException {
  private static final long serialVersionUID = 1L;

  /** With a message naming the operation that needed a context. */
  public NoProcessingContextException(String operation) {
    super(operation + " needs a processing context, and none is bound to this thread: wrap the call in"
        + " try (var scope = engine.process(AccessContext.of(actor, purpose))) { ... } or pass a context explicitly");
  }
}
