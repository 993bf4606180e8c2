package dev.rootline.persistence;

/**
 * What an operator said of an issue (POST /api/v1/issues/{id}/feedback), as recorded on the
 * Issue entity.
 *
 * @param feedbackId unique id, assigned when recorded
 * @param kind what was said
 * @param level the candidate's level ({@link Kind#CONFIRM}, {@link Kind#REJECT}, {@link
 *     Kind#NAME_CAUSE}); null for {@link Kind#NOISE}
 * @param subject the candidate's subject (for CONFIRM and REJECT one of the issue's ranked
 *     candidates; for NAME_CAUSE a cause that was not listed); null for NOISE
 * @param comment free text, may be null
 * @param by who said it
 * @param atMillis when, epoch millis
 */
public record IssueFeedback(
    String feedbackId,
    Kind kind,
    RootCause.Level level,
    String subject,
    String comment,
    String by,
    long atMillis)
    implements CborSerializable {

  public enum Kind {
    /** This candidate is the root cause. */
    CONFIRM,
    /** This candidate is not the root cause. */
    REJECT,
    /** The root cause is this one, which was not listed. */
    NAME_CAUSE,
    /** The issue is not a problem: stop raising it. */
    NOISE
  }

  /** "LEVEL|subject" of the candidate, or null for NOISE. */
  public String candidateKey() {
    return level == null || subject == null ? null : level.name() + "|" + subject;
  }
}
