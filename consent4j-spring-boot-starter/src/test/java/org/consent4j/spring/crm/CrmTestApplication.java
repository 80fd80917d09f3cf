package org.consent4j.spring.crm;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.scheduling.annotation.EnableAsync;

/** A CRM on Spring Boot with nothing of consent4j but the starter and its properties. */
@SpringBootApplication
@EnableAsync
public class CrmTestApplication {}
