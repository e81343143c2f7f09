package com.rafaribe.homelab.hub.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.re2j.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PatternCostTest {
    static final int BASE = PatternCost.PER_PATTERN;

    @ParameterizedTest(name = "{1} costs {0} states")
    @CsvSource(delimiter = ';', quoteCharacter = '`', value = {
            // literal runs: live positions are a prefix and its borders, case folded
            "1    ; x",
            "2    ; lock",
            "3    ; repository is already locked",
            "4    ; aaaa",
            "4    ; AaAa",
            "4    ; abcabcabd",
            "2    ; \\Qa.b\\E",
            "4    ; \\x{41}\\x41\\101a",
            // classes, anchors and escapes that are no literal count one each
            "2    ; [a-z]\\d",
            "3    ; []a][^]]\\p{Greek}",
            "2    ; ^$",
            "0    ; (?i)",
            // loops and options add a branch state; counted repetitions copy their operand
            "2    ; .*",
            "3    ; a?b",
            "11   ; lock.*already.*exists",
            "200  ; .{0,100}",
            "2000 ; (.{0,100}){10}",
            "1000 ; a{1000}",
            "5    ; a{4,}",
            "9    ; ab{3,5}c",
            // alternation adds the branches and a state per extra branch
            "5    ; ab|cd",
            "15   ; (?P<n>ab|cd){3}",
            // braces that are no repetition are literal
            "2    ; a{,5}",
            "2    ; a{x"})
    void states(long states, String pattern) {
        assertThat(PatternCost.estimate(pattern) - BASE).isEqualTo(states);
    }

    @Test
    void hugeExpansionsSaturateInsteadOfOverflowing() {
        assertThat(PatternCost.estimate("(?:(?:a{1000}){1000}){1000}")).isEqualTo(1_000_000_000 + BASE);
        assertThat(PatternCost.estimate("((((.{0,1000}){1000}){1000}){1000}){1000}")).isEqualTo(Integer.MAX_VALUE);
    }

    @ParameterizedTest
    @ValueSource(strings = {".{0,50}", "(.{0,10}){5}x", "[^x]*[^y]*[^z]*x", "(?:a|b|c){20}", "\\w{1,30}\\s+\\d{0,9}", "(a?){40}"})
    void noLiteralRunsMeansAtLeastTheProgramsConsumingStates(String pattern) {
        // Without literal runs to compress, the estimate may not fall far below RE2's own program size.
        int program = Pattern.compile(pattern, Pattern.CASE_INSENSITIVE).programSize();
        assertThat(PatternCost.estimate(pattern)).isGreaterThanOrEqualTo(program / 2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc)", "(", "a\\", "[abc", "\\Qopen", "\\p{", "\\x{41"})
    void patternsRe2RejectsStillGetAnAnswer(String pattern) {
        assertThat(PatternCost.estimate(pattern)).isPositive();
    }
}
