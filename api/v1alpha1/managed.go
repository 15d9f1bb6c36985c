package v1alpha1

// These accessors let the one lifecycle engine in controllers/ drive both kinds without
// knowing their spec and status layouts.

// GetLifecyclePolicies returns the management and deletion policies.
func (p *IoTProduct) GetLifecyclePolicies() LifecyclePolicies { return p.Spec.LifecyclePolicies }

// GetCommonStatus returns the status fields every kind shares.
func (p *IoTProduct) GetCommonStatus() *CommonStatus { return &p.Status.CommonStatus }

// GetCredentialsSecretName returns the credentials Secret's name, or "" for the operator's
// own credential chain.
func (p *IoTProduct) GetCredentialsSecretName() string {
	if p.Spec.CredentialsSecretRef == nil {
		return ""
	}
	return p.Spec.CredentialsSecretRef.Name
}

// GetLifecyclePolicies returns the management and deletion policies.
func (f *FlipsnackFeed) GetLifecyclePolicies() LifecyclePolicies { return f.Spec.LifecyclePolicies }

// GetCommonStatus returns the status fields every kind shares.
func (f *FlipsnackFeed) GetCommonStatus() *CommonStatus { return &f.Status.CommonStatus }

// GetCredentialsSecretName returns the credentials Secret's name.
func (f *FlipsnackFeed) GetCredentialsSecretName() string { return f.Spec.CredentialsSecretRef.Name }

// GetSpecExternalID returns spec.productKey: the product to adopt, or "".
func (p *IoTProduct) GetSpecExternalID() string { return p.Spec.ProductKey }

// GetSpecExternalID returns spec.sourceHash: the feed to adopt, or "".
func (f *FlipsnackFeed) GetSpecExternalID() string { return f.Spec.SourceHash }

// GetStatusExternalID returns status.productKey: the ProductKey the operator last reported.
func (p *IoTProduct) GetStatusExternalID() string { return p.Status.ProductKey }

// GetStatusExternalID returns status.sourceHash: the sourceHash the operator last reported.
func (f *FlipsnackFeed) GetStatusExternalID() string { return f.Status.SourceHash }
