package com.rafaribe.homelab.hub.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.rafaribe.homelab.hub.testing.SecretShapes;
import com.rafaribe.homelab.hub.testing.SecretShapes.Shape;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RedactorTest {
    static Stream<Shape> shapes() {
        return SecretShapes.ALL.stream();
    }

    static Stream<String> harmless() {
        return SecretShapes.HARMLESS.stream();
    }

    @Test
    void theTableCoversAtLeastThirtyShapes() {
        assertThat(SecretShapes.ALL).hasSizeGreaterThanOrEqualTo(30);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void masksTheSecretAndKeepsTheContext(Shape shape) {
        String redacted = Redactor.redact(shape.text());
        for (String secret : shape.secrets()) {
            assertThat(shape.text()).as("the row itself holds the secret").contains(secret);
            assertThat(redacted).as(shape.name()).doesNotContain(secret);
        }
        for (String kept : shape.kept()) {
            assertThat(redacted).as(shape.name() + ": harmless context").contains(kept);
        }
        assertThat(redacted).contains(Redactor.MASK);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void redactingTwiceChangesNothingMore(Shape shape) {
        String once = Redactor.redact(shape.text());
        assertThat(Redactor.redact(once)).isEqualTo(once);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("harmless")
    void leavesOrdinaryTextAlone(String text) {
        assertThat(Redactor.redact(text)).isEqualTo(text);
    }

    @Test
    void aWholeLogOfSecretsIsMaskedLineByLineAndAtOnce() {
        String log = String.join("\n", SecretShapes.ALL.stream().map(Shape::text).toList());
        String redacted = Redactor.redact(log);
        SecretShapes.ALL.forEach(s -> s.secrets().forEach(secret -> assertThat(redacted).as(s.name()).doesNotContain(secret)));
    }

    @Test
    void cutsAfterMaskingSoNoHalfSecretIsLeft() {
        String cut = Redactor.redact("password=\"" + "x".repeat(50) + "Tail" + "\" and more", 20);
        assertThat(cut).isEqualTo("password=\"***\" an...").doesNotContain("Tail");
    }

    /** re2j runs in linear time: inputs that make backtracking engines explode take milliseconds. */
    @Test
    void pathologicalInputsStayLinear() {
        List<String> inputs = List.of(
                "a://" + "b:".repeat(100_000) + "c",
                "https://u:" + "@".repeat(200_000),
                "password=".repeat(50_000),
                "\"password\": \"" + "\\\\".repeat(100_000),
                "-----BEGIN PRIVATE KEY-----" + "-----BEGIN ".repeat(30_000),
                "eyJ" + "a.".repeat(100_000),
                ("token " + "x".repeat(30) + " ").repeat(20_000),
                "Authorization: " + "Bearer ".repeat(50_000));
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> inputs.forEach(Redactor::redact));
    }

    /** A guard against a blow-up, not a benchmark: 42,000 lines (~0.3 s alone) on a busy shared machine. */
    @Test
    void ordinaryLogLinesAreCheap() {
        List<String> lines = SecretShapes.HARMLESS;
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            for (int i = 0; i < 2_000; i++) {
                lines.forEach(Redactor::redact);
            }
        });
    }
}
