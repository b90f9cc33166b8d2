package config

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go"
)

// SecretsManagerAPI is the part of the AWS Secrets Manager client the Resolver uses.
// *secretsmanager.Client implements it; tests pass a client pointed at a fake endpoint.
type SecretsManagerAPI interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput,
		opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

var _ SecretsManagerAPI = (*secretsmanager.Client)(nil)

// NewSecretsManager builds a Secrets Manager client from the AWS default chain:
// environment variables, the shared config and credentials files (AWS_PROFILE, SSO),
// web identity (IRSA) and instance or container roles. AWS_ENDPOINT_URL_SECRETS_MANAGER
// points it at a custom endpoint.
func NewSecretsManager(ctx context.Context) (SecretsManagerAPI, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load AWS config: %w", err)
	}
	return secretsmanager.NewFromConfig(cfg), nil
}

func (r *Resolver) client(ctx context.Context) (SecretsManagerAPI, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.SecretsManager == nil {
		c, err := NewSecretsManager(ctx)
		if err != nil {
			return nil, err
		}
		r.SecretsManager = c
	}
	return r.SecretsManager, nil
}

func (r *Resolver) awsSecret(ctx context.Context, ref Ref) (string, error) {
	whole, err := r.fetchAWSSecret(ctx, ref.Name)
	if err != nil {
		return "", err
	}
	if ref.Key == "" {
		if whole == "" {
			return "", fmt.Errorf("aws-sm secret %s is empty", ref.Name)
		}
		return whole, nil
	}
	var obj map[string]any
	if err := json.Unmarshal([]byte(whole), &obj); err != nil || obj == nil {
		return "", fmt.Errorf("aws-sm secret %s is not a JSON object, so #%s cannot select from it (drop #%s to use the whole secret)",
			ref.Name, ref.Key, ref.Key)
	}
	raw, ok := obj[ref.Key]
	if !ok {
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		return "", fmt.Errorf("aws-sm secret %s has no key %q%s", ref.Name, ref.Key, hint(ref.Key, keys, "keys: "+strings.Join(keys, ", ")))
	}
	var v string
	switch x := raw.(type) {
	case string:
		v = x
	case float64, bool:
		v = fmt.Sprint(x)
	default:
		return "", fmt.Errorf("aws-sm secret %s: key %q holds an object or list, not a value", ref.Name, ref.Key)
	}
	if v == "" {
		return "", fmt.Errorf("aws-sm secret %s: key %q is empty", ref.Name, ref.Key)
	}
	return v, nil
}

// fetchAWSSecret returns the secret string of name (or its binary as text), cached.
func (r *Resolver) fetchAWSSecret(ctx context.Context, name string) (string, error) {
	r.mu.Lock()
	v, ok := r.smCache[name]
	r.mu.Unlock()
	if ok {
		return v, nil
	}
	c, err := r.client(ctx)
	if err != nil {
		return "", fmt.Errorf("aws-sm secret %s: %w", name, err)
	}
	var opts []func(*secretsmanager.Options)
	if region := arnRegion(name); region != "" {
		opts = append(opts, func(o *secretsmanager.Options) { o.Region = region })
	}
	out, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(name)}, opts...)
	if err != nil {
		var api smithy.APIError
		if errors.As(err, &api) {
			msg := fmt.Sprintf("aws-sm secret %s: %s: %s", name, api.ErrorCode(), api.ErrorMessage())
			if api.ErrorCode() == "ResourceNotFoundException" {
				msg += " (check the name and the region: AWS_REGION, or use the secret's ARN)"
			}
			return "", errors.New(msg)
		}
		return "", fmt.Errorf("aws-sm secret %s: %w", name, err)
	}
	switch {
	case out.SecretString != nil:
		v = *out.SecretString
	case out.SecretBinary != nil:
		v = string(out.SecretBinary)
	}
	r.mu.Lock()
	if r.smCache == nil {
		r.smCache = map[string]string{}
	}
	r.smCache[name] = v
	r.mu.Unlock()
	return v, nil
}

// arnRegion returns the region of a Secrets Manager ARN
// (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME), or "" for a plain name.
func arnRegion(name string) string {
	parts := strings.SplitN(name, ":", 5)
	if len(parts) == 5 && parts[0] == "arn" && parts[2] == "secretsmanager" {
		return parts[3]
	}
	return ""
}
