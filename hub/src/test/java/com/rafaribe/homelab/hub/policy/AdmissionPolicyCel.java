package com.rafaribe.homelab.hub.policy;

import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.parser.CelStandardMacro;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * A ValidatingAdmissionPolicy of agent-config/admission/, evaluated the way kube-apiserver (1.30+)
 * does, with the CEL library for Java: its matchConditions, then its variables in order (each
 * sees the ones before it as {@code variables}), then every validation. The test control plane is
 * Kubernetes 1.20, which has no such API, so this is how the expressions get run at all.
 */
final class AdmissionPolicyCel {
    private static final Cel CEL = CelFactory.standardCelBuilder()
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .addVar("object", SimpleType.DYN)
            .addVar("oldObject", SimpleType.DYN)
            .addVar("request", SimpleType.DYN)
            .addVar("variables", MapType.create(SimpleType.STRING, SimpleType.DYN))
            .build();

    /** One validation's outcome: passed, or the reason it refused (false, or an evaluation error, which a Fail policy also refuses). */
    record Outcome(String message, boolean passed, String error) {
    }

    final Map<String, Object> spec;
    final String name;

    private AdmissionPolicyCel(Map<String, Object> policy) {
        this.name = String.valueOf(((Map<?, ?>) policy.get("metadata")).get("name"));
        this.spec = cast(policy.get("spec"));
    }

    /** Every document of a YAML file, as plain maps. */
    static List<Map<String, Object>> documents(Path file) throws IOException {
        YAMLMapper yaml = new YAMLMapper();
        List<Map<String, Object>> docs = new ArrayList<>();
        for (String doc : Files.readString(file).split("(?m)^---\\s*$")) {
            if (!doc.lines().allMatch(l -> l.isBlank() || l.strip().startsWith("#"))) {
                docs.add(cast(yaml.readValue(doc, Map.class)));
            }
        }
        return docs;
    }

    static AdmissionPolicyCel named(List<Map<String, Object>> docs, String name) {
        return docs.stream()
                .filter(d -> "ValidatingAdmissionPolicy".equals(d.get("kind")))
                .filter(d -> name.equals(((Map<?, ?>) d.get("metadata")).get("name")))
                .findFirst().map(AdmissionPolicyCel::new)
                .orElseThrow(() -> new AssertionError("no ValidatingAdmissionPolicy " + name));
    }

    /** An object as the API server hands it to CEL: JSON without nulls or empty lists, integers as int64. */
    static Object asCel(Object fabric8Object) {
        ObjectMapper json = Serialization.jsonMapper();
        return int64(json.convertValue(fabric8Object, Object.class));
    }

    static Map<String, Object> request(String username, String operation, String namespace) {
        return Map.of("userInfo", Map.of("username", username), "operation", operation, "namespace", namespace);
    }

    /** Whether the policy's matchConditions all hold for this request. */
    boolean matches(Map<String, Object> activation) throws Exception {
        for (Map<String, Object> condition : list(spec.get("matchConditions"))) {
            if (!Boolean.TRUE.equals(eval((String) condition.get("expression"), activation))) {
                return false;
            }
        }
        return true;
    }

    List<Outcome> validate(Object object, Object oldObject, Map<String, Object> request) throws Exception {
        Map<String, Object> activation = new LinkedHashMap<>();
        activation.put("object", object == null ? com.google.protobuf.NullValue.NULL_VALUE : object);
        activation.put("oldObject", oldObject == null ? com.google.protobuf.NullValue.NULL_VALUE : oldObject);
        activation.put("request", request);
        Map<String, Object> variables = new LinkedHashMap<>();
        activation.put("variables", variables);
        for (Map<String, Object> v : list(spec.get("variables"))) {
            variables.put((String) v.get("name"), eval((String) v.get("expression"), activation));
        }
        List<Outcome> outcomes = new ArrayList<>();
        for (Map<String, Object> validation : list(spec.get("validations"))) {
            String message = (String) validation.get("message");
            try {
                Object result = eval((String) validation.get("expression"), activation);
                outcomes.add(new Outcome(message, Boolean.TRUE.equals(result), null));
            } catch (Exception e) {
                outcomes.add(new Outcome(message, false, e.getMessage()));
            }
        }
        return outcomes;
    }

    /** Compiles (parse and type-check) every expression of the policy, as the API server does when the policy is applied. */
    List<String> expressions() {
        List<String> all = new ArrayList<>();
        for (String section : List.of("matchConditions", "variables", "validations")) {
            list(spec.get(section)).forEach(e -> all.add((String) e.get("expression")));
        }
        return all;
    }

    static CelAbstractSyntaxTree compile(String expression) throws Exception {
        return CEL.compile(expression).getAst();
    }

    private static Object eval(String expression, Map<String, Object> activation) throws Exception {
        return CEL.createProgram(compile(expression)).eval(activation);
    }

    private static Object int64(Object value) {
        if (value instanceof Integer i) {
            return i.longValue();
        }
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> copy = new LinkedHashMap<>();
            m.forEach((k, v) -> copy.put(String.valueOf(k), int64(v)));
            return copy;
        }
        if (value instanceof List<?> l) {
            return l.stream().map(AdmissionPolicyCel::int64).toList();
        }
        return value;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Object o) {
        return o == null ? List.of() : (List<Map<String, Object>>) o;
    }
}
