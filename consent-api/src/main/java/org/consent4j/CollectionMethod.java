package org.consent4j;

/** How a consent, withdrawal or objection was collected: part of the proof of consent. */
public enum CollectionMethod {
  /** A form on a web site. */
  WEB_FORM,
  /** A screen in a mobile application. */
  MOBILE_APP,
  /** A signed paper form. */
  PAPER_FORM,
  /** A reply to an e-mail. */
  EMAIL,
  /** A recorded telephone call. */
  PHONE,
  /** In person, recorded by staff. */
  IN_PERSON,
  /** Another system, through an API. */
  API,
  /** A bulk import of consents collected elsewhere. */
  IMPORT
}
