package httpapi

import "regexp"

var sensitiveNameRE = regexp.MustCompile(`(?i)^(?:` + sensitiveParams + `)$`)

// IsSensitiveParam reports whether a query parameter of this name carries a credential
// (the parameters the Redactor removes: access_token, token, key, …).
func IsSensitiveParam(name string) bool { return sensitiveNameRE.MatchString(name) }
