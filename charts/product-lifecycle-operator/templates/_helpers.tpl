{{/* The release's name for every object: <release>-product-lifecycle-operator, or the release name when it already says it. */}}
{{- define "plo.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* What selects the manager's pods; never changes across upgrades. */}}
{{- define "plo.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
control-plane: controller-manager
{{- end -}}

{{- define "plo.labels" -}}
{{ include "plo.selectorLabels" . }}
app.kubernetes.io/part-of: product-lifecycle-operator
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* The Secret holding the operator's own Alibaba Cloud credentials; empty when there is none. */}}
{{- define "plo.credentialsSecret" -}}
{{- if .Values.alibabaCredentials.existingSecret -}}
{{- .Values.alibabaCredentials.existingSecret -}}
{{- else if .Values.alibabaCredentials.create -}}
{{- printf "%s-alibaba-credentials" (include "plo.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/*
The manager's permissions: the rules `make manifests` writes to config/rbac/role.yaml from the
RBAC markers, of which files/manager-role.yaml is a copy (hack/verify fails when they differ).
*/}}
{{- define "plo.managerRules" -}}
{{- (.Files.Get "files/manager-role.yaml" | fromYaml).rules | toYaml -}}
{{- end -}}

{{/*
The cluster-scoped resources among the manager's rules, which a Role cannot grant: namespaces
(read, to report a namespace deletion held up by deletion protection), the operator's own
CustomResourceDefinitions (get by name, to tell an uninstall from a deletion), and the grant
that makes the manager the operator for the identity annotations policy (`write` on
prodlife.dev identities, which the policy asks of RBAC cluster-wide).
*/}}
{{- define "plo.clusterScopedResources" -}}
{{- list "namespaces" "customresourcedefinitions" "identities" | toJson -}}
{{- end -}}

{{/*
The manager's rules on namespaced resources, for a Role in each watched namespace:
plo.managerRules without the cluster-scoped resources (see plo.clusterScopedRules).
*/}}
{{- define "plo.namespacedManagerRules" -}}
{{- $clusterScoped := include "plo.clusterScopedResources" . | fromJsonArray -}}
{{- $rules := list -}}
{{- range (.Files.Get "files/manager-role.yaml" | fromYaml).rules -}}
{{- $resources := list -}}
{{- range $r := .resources -}}
{{- if not (has $r $clusterScoped) -}}
{{- $resources = append $resources $r -}}
{{- end -}}
{{- end -}}
{{- if $resources -}}
{{- $rules = append $rules (set (deepCopy .) "resources" $resources) -}}
{{- end -}}
{{- end -}}
{{- $rules | toYaml -}}
{{- end -}}

{{/*
The manager's rules on cluster-scoped resources (resourceNames kept), for the one ClusterRole
of a watchNamespaces install.
*/}}
{{- define "plo.clusterScopedRules" -}}
{{- $clusterScoped := include "plo.clusterScopedResources" . | fromJsonArray -}}
{{- $rules := list -}}
{{- range (.Files.Get "files/manager-role.yaml" | fromYaml).rules -}}
{{- $resources := list -}}
{{- range $r := .resources -}}
{{- if has $r $clusterScoped -}}
{{- $resources = append $resources $r -}}
{{- end -}}
{{- end -}}
{{- if $resources -}}
{{- $rules = append $rules (set (deepCopy .) "resources" $resources) -}}
{{- end -}}
{{- end -}}
{{- $rules | toYaml -}}
{{- end -}}
