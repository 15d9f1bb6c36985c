// Package manifests reads the embedded install manifests of package config as objects: the
// CRDs for envtest, the admission policies for an API server.
package manifests

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"

	"github.com/prodlife/product-lifecycle-operator/config"
)

// CRDs are the CustomResourceDefinitions of config/crd/bases.
func CRDs() ([]*apiextensionsv1.CustomResourceDefinition, error) {
	objs, err := readAll(config.CRDs())
	if err != nil {
		return nil, err
	}
	var out []*apiextensionsv1.CustomResourceDefinition
	for _, obj := range objs {
		crd := &apiextensionsv1.CustomResourceDefinition{}
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(obj.Object, crd); err != nil {
			return nil, fmt.Errorf("reading CRD %s: %w", obj.GetName(), err)
		}
		out = append(out, crd)
	}
	return out, nil
}

// Policies are the objects of config/policy but its ConfigMap: the admission policies and
// their bindings, whose parameters (whom they trust) each installation provides.
func Policies() ([]*unstructured.Unstructured, error) {
	objs, err := readAll(config.Policies())
	if err != nil {
		return nil, err
	}
	var out []*unstructured.Unstructured
	for _, obj := range objs {
		if obj.GetKind() != "ConfigMap" {
			out = append(out, obj)
		}
	}
	return out, nil
}

// readAll reads the objects of every YAML file of folder, in file name order, skipping the
// kustomize files.
func readAll(folder fs.FS) ([]*unstructured.Unstructured, error) {
	files, err := fs.Glob(folder, "*.yaml")
	if err != nil {
		return nil, err
	}
	var out []*unstructured.Unstructured
	for _, file := range files {
		if strings.HasPrefix(file, "kustomiz") {
			continue
		}
		raw, err := fs.ReadFile(folder, file)
		if err != nil {
			return nil, err
		}
		objs, err := Decode(raw, file)
		if err != nil {
			return nil, err
		}
		out = append(out, objs...)
	}
	return out, nil
}

// Decode reads every object of a YAML (or JSON) stream of one or more documents; name says
// where it comes from in errors.
func Decode(raw []byte, name string) ([]*unstructured.Unstructured, error) {
	var objs []*unstructured.Unstructured
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(raw), 4096)
	for {
		obj := &unstructured.Unstructured{}
		err := dec.Decode(&obj.Object)
		if errors.Is(err, io.EOF) {
			return objs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", name, err)
		}
		if len(obj.Object) > 0 {
			objs = append(objs, obj)
		}
	}
}
