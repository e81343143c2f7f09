package com.rafaribe.homelab.hub.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/** Limits and requests as plain quantity strings ("500m", "512Mi"), as the original controller takes them. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class TemplateResources {
    private Map<String, String> limits;
    private Map<String, String> requests;

    public Map<String, String> getLimits() { return limits; }
    public void setLimits(Map<String, String> limits) { this.limits = limits; }
    public Map<String, String> getRequests() { return requests; }
    public void setRequests(Map<String, String> requests) { this.requests = requests; }
}
