package com.rafaribe.homelab.hub.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/** Overrides for the unlock Job; every field set here wins over what is mirrored from the failed mover. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class UnlockJobTemplate {
    @JsonPropertyDescription("Image of the unlock container. Defaults to the failed mover's image.")
    private String image;

    @JsonPropertyDescription("Command of the unlock container. Defaults to [\"restic\"].")
    private List<String> command;

    @JsonPropertyDescription("Arguments of the unlock container. Defaults to [\"unlock\", \"--remove-all\"] when no command is set.")
    private List<String> args;

    private TemplateResources resources;

    @JsonPropertyDescription("Service account of the unlock pod. Defaults to the failed mover's.")
    private String serviceAccount;

    private TemplateSecurityContext securityContext;

    public String getImage() { return image; }
    public void setImage(String image) { this.image = image; }
    public List<String> getCommand() { return command; }
    public void setCommand(List<String> command) { this.command = command; }
    public List<String> getArgs() { return args; }
    public void setArgs(List<String> args) { this.args = args; }
    public TemplateResources getResources() { return resources; }
    public void setResources(TemplateResources resources) { this.resources = resources; }
    public String getServiceAccount() { return serviceAccount; }
    public void setServiceAccount(String serviceAccount) { this.serviceAccount = serviceAccount; }
    public TemplateSecurityContext getSecurityContext() { return securityContext; }
    public void setSecurityContext(TemplateSecurityContext securityContext) { this.securityContext = securityContext; }
}
