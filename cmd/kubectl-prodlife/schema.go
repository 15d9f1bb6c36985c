package main

import (
	"encoding/json"
	"fmt"
	"io/fs"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/kube-openapi/pkg/validation/spec"
	"k8s.io/kube-openapi/pkg/validation/strfmt"
	"k8s.io/kube-openapi/pkg/validation/validate"
	"sigs.k8s.io/yaml"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/config"
)

// schemaErrors holds obj to the OpenAPI schema of its kind's CRD (config/crd/bases, the one
// the API server has), so that a manifest the API server would refuse is never printed: the
// patterns, bounds and enums of every field, with kube-openapi's validator (the API server's
// own). The CEL rules are not evaluated here; those on a feed's products (the SKUs) are what
// feedplan.NewProduct checks already.
func schemaErrors(kind string, obj runtime.Object) ([]error, error) {
	raw, err := fs.ReadFile(config.CRDs(), "prodlife.dev_"+v1alpha1.KindNamed(kind).Plural+".yaml")
	if err != nil {
		return nil, err
	}
	var crd apiextensionsv1.CustomResourceDefinition
	if err := yaml.Unmarshal(raw, &crd); err != nil {
		return nil, err
	}
	var props *apiextensionsv1.JSONSchemaProps
	for _, v := range crd.Spec.Versions {
		if v.Name == v1alpha1.GroupVersion.Version && v.Schema != nil {
			props = v.Schema.OpenAPIV3Schema
		}
	}
	if props == nil {
		return nil, fmt.Errorf("the CRD of %s has no schema for %s", kind, v1alpha1.GroupVersion.Version)
	}
	b, err := json.Marshal(props)
	if err != nil {
		return nil, err
	}
	var schema spec.Schema
	if err := json.Unmarshal(b, &schema); err != nil {
		return nil, err
	}
	u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return nil, err
	}
	return validate.NewSchemaValidator(&schema, nil, "", strfmt.Default).Validate(u).Errors, nil
}
