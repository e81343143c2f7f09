package com.rafaribe.homelab.hub.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;

/**
 * The log's one redaction: wraps the encoder that writes a line (text or JSON) and hands it each
 * event with its message, arguments, MDC and exception messages passed through
 * {@link com.rafaribe.homelab.hub.policy.Redactor}. The hub's appender ({@link HubLogConfiguration}) uses it, so no
 * caller of a logger has to remember to redact; a logback configuration of one's own should wrap
 * its encoder the same way.
 */
public final class RedactingEncoder extends EncoderBase<ILoggingEvent> {
    private Encoder<ILoggingEvent> encoder;

    /** The encoder that writes the redacted event (in a logback.xml, its nested {@code <encoder>}). */
    public void setEncoder(Encoder<ILoggingEvent> encoder) {
        this.encoder = encoder;
    }

    @Override
    public void start() {
        if (encoder == null) {
            addError("RedactingEncoder needs a nested <encoder>");
            return;
        }
        if (!encoder.isStarted()) {
            encoder.setContext(getContext());
            encoder.start();
        }
        super.start();
    }

    @Override
    public void stop() {
        if (encoder != null) {
            encoder.stop();
        }
        super.stop();
    }

    @Override
    public byte[] headerBytes() {
        return encoder.headerBytes();
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        return encoder.encode(new RedactedLoggingEvent(event));
    }

    @Override
    public byte[] footerBytes() {
        return encoder.footerBytes();
    }
}
