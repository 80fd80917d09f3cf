package org.consent4j;

/**
 * The conditions of GDPR Art. 9(2) under which a special category of personal data may be
 * processed without the subject's explicit consent. A purpose with a legal basis other than
 * consent that processes a special category must name one ({@link
 * PurposeDefinition#withArticle9Condition}); a consent purpose relies on Art. 9(2)(a) instead,
 * which is a grant recorded as explicit ({@link Grant#explicit()}).
 */
public enum Article9Condition {
  /** Art. 9(2)(b): obligations in employment, social security and social protection law. */
  EMPLOYMENT_AND_SOCIAL_SECURITY("9(2)(b)"),
  /** Art. 9(2)(c): vital interests of a subject physically or legally incapable of consenting. */
  VITAL_INTERESTS("9(2)(c)"),
  /** Art. 9(2)(d): a not-for-profit body's legitimate activities with its members. */
  NOT_FOR_PROFIT_BODY("9(2)(d)"),
  /** Art. 9(2)(e): data manifestly made public by the subject. */
  MADE_PUBLIC_BY_SUBJECT("9(2)(e)"),
  /** Art. 9(2)(f): establishing, exercising or defending legal claims. */
  LEGAL_CLAIMS("9(2)(f)"),
  /** Art. 9(2)(g): substantial public interest on the basis of law. */
  SUBSTANTIAL_PUBLIC_INTEREST("9(2)(g)"),
  /** Art. 9(2)(h): preventive or occupational medicine, health or social care. */
  HEALTH_OR_SOCIAL_CARE("9(2)(h)"),
  /** Art. 9(2)(i): public interest in the area of public health. */
  PUBLIC_HEALTH("9(2)(i)"),
  /** Art. 9(2)(j): archiving in the public interest, scientific or historical research, statistics. */
  ARCHIVING_RESEARCH_STATISTICS("9(2)(j)");

  private final String article;

  Article9Condition(String article) {
    this.article = article;
  }

  /** The provision, such as {@code 9(2)(h)}. */
  public String article() {
    return article;
  }
}
