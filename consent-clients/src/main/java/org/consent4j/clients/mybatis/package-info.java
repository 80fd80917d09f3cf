/**
 * MyBatis integration: a plugin that clears a session's local cache when the consent4j processing
 * context changes and refuses mapper caches. See {@link org.consent4j.clients.mybatis.ConsentMyBatis}.
 */
package org.consent4j.clients.mybatis;
