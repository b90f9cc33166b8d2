package httpapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/spec"
	"github.com/tidwall/gjson"
)

// fixtureBodies reads testdata/<name> (a map of case → {http_status, body}) and returns
// each case's body as JSON text.
func fixtureBodies(t *testing.T, name string) map[string]string {
	t.Helper()
	raw, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	gjson.ParseBytes(raw).ForEach(func(k, v gjson.Result) bool {
		if b := v.Get("body"); b.Exists() {
			out[k.String()] = b.Raw
		}
		return true
	})
	return out
}

// metaRules are the Graph API's error rules as a spec writes them.
var metaRules = []spec.ErrorRule{
	{Status: []int{400, 403}, Path: "error.code", In: []string{"4", "17", "32", "613", "80001", "80002"}, Action: spec.ActionRateLimited, Wait: spec.Duration(5 * time.Minute), MessagePath: "error.message"},
	{Status: []int{400}, Path: "error.code", In: []string{"190"}, Action: spec.ActionAuth, MessagePath: "error.message"},
	{Status: []int{500}, Path: "error.is_transient", In: []string{"true"}, Action: spec.ActionRetry},
}

func TestClassify(t *testing.T) {
	fb := fixtureBodies(t, "facebook_errors.json")
	x := fixtureBodies(t, "x_errors.json")
	code := func(body string, n int) string {
		return strings.Replace(body, `"code": 4,`, fmt.Sprintf(`"code": %d,`, n), 1)
	}
	xRL := spec.RateLimit{RemainingHeader: "x-rate-limit-remaining", ResetHeader: "x-rate-limit-reset"}
	xRules := []spec.ErrorRule{{Status: []int{429}, Path: "title", In: []string{"UsageCapExceeded"}, Action: spec.ActionQuota}}
	tiktok := []spec.ErrorRule{{Path: "error.code", NotIn: []string{"ok"}, Action: spec.ActionFail}}
	cases := []struct {
		name    string
		rules   []spec.ErrorRule
		rl      spec.RateLimit
		status  int
		headers []string
		body    string
		want    verdict
	}{
		{name: "meta code 4", rules: metaRules, status: 400, body: fb["app_rate_limit_4"],
			want: verdict{kind: KindRateLimited, status: 400, message: "(#4) Application request limit reached", wait: 5 * time.Minute}},
		{name: "meta code 17", rules: metaRules, status: 400, body: code(fb["app_rate_limit_4"], 17),
			want: verdict{kind: KindRateLimited, status: 400, message: "(#4) Application request limit reached", wait: 5 * time.Minute}},
		{name: "meta code 32", rules: metaRules, status: 400, body: fb["page_rate_limit_32"],
			want: verdict{kind: KindRateLimited, status: 400, message: "(#32) Page request limit reached", wait: 5 * time.Minute}},
		{name: "meta code 613", rules: metaRules, status: 400, body: code(fb["app_rate_limit_4"], 613),
			want: verdict{kind: KindRateLimited, status: 400, message: "(#4) Application request limit reached", wait: 5 * time.Minute}},
		{name: "meta code 100 fails", rules: metaRules, status: 400, body: fb["permission_100"],
			want: verdict{kind: KindPermanent, status: 400, message: gjson.Get(fb["permission_100"], "error.message").Str}},
		{name: "meta code 190 is auth", rules: metaRules, status: 400, body: fb["token_expired_190_463"],
			want: verdict{kind: KindAuth, status: 400, message: "Error validating access token: Session has expired"}},
		{name: "meta transient 500", rules: metaRules, status: 500, body: `{"error":{"message":"An unknown error occurred","code":1,"is_transient":true}}`,
			want: verdict{kind: KindTransient, status: 500, message: "An unknown error occurred"}},
		{name: "x 429 waits until reset", rl: xRL, status: 429, body: x["rate_limited_429"],
			headers: []string{"x-rate-limit-remaining", "0", "x-rate-limit-reset", unixAt(61)},
			want:    verdict{kind: KindRateLimited, status: 429, message: "Too Many Requests", wait: 61 * time.Second}},
		{name: "Retry-After wins over reset", rl: xRL, status: 429, body: x["rate_limited_429"],
			headers: []string{"Retry-After", "3", "x-rate-limit-reset", unixAt(61)},
			want:    verdict{kind: KindRateLimited, status: 429, message: "Too Many Requests", wait: 3 * time.Second}},
		{name: "x usage cap is quota", rules: xRules, status: 429, body: x["usage_capped"],
			want: verdict{kind: KindQuota, status: 429, message: "Usage cap exceeded: Monthly product cap"}},
		{name: "x partial error in 200 is ok", rules: xRules, status: 200, body: x["partial_error_in_200_resource_not_found"],
			want: verdict{status: 200, validJSON: true}},
		{name: "tiktok 200 ok envelope", rules: tiktok, status: 200, body: `{"data":{"videos":[]},"error":{"code":"ok","message":""}}`,
			want: verdict{status: 200, validJSON: true}},
		{name: "tiktok 200 with error code", rules: tiktok, status: 200, body: `{"data":{},"error":{"code":"invalid_params","message":"bad cursor"}}`,
			want: verdict{kind: KindPermanent, status: 200, message: "bad cursor"}},
		{name: "rule wait from body in minutes", status: 400, body: `{"error":{"code":80002,"wait":2}}`,
			rules: []spec.ErrorRule{{Path: "error.code", In: []string{"80002"}, Action: spec.ActionRateLimited, WaitPath: "error.wait", WaitUnit: "minutes"}},
			want:  verdict{kind: KindRateLimited, status: 400, wait: 2 * time.Minute}},
		{name: "first matching rule wins", status: 404, body: `{}`,
			rules: []spec.ErrorRule{{Status: []int{404}, Action: spec.ActionSkip}, {Action: spec.ActionRetry}},
			want:  verdict{kind: KindSkip, status: 404}},
		{name: "rule without status ignores 2xx", status: 200, body: `{}`, rules: []spec.ErrorRule{{Action: spec.ActionRetry}},
			want: verdict{status: 200, validJSON: true}},
		{name: "ok rule accepts a 404", status: 404, body: `not json`, rules: []spec.ErrorRule{{Status: []int{404}, Action: spec.ActionOK}},
			want: verdict{status: 404}},
		{name: "default 429 without hints", status: 429, body: `{"message":"Too Many Requests","error":429}`,
			want: verdict{kind: KindRateLimited, status: 429, message: "Too Many Requests"}},
		{name: "default 503 with Retry-After", status: 503, headers: []string{"Retry-After", "10"}, body: ``,
			want: verdict{kind: KindTransient, status: 503, wait: 10 * time.Second}},
		{name: "default 502 html", status: 502, body: "<html><body>Bad Gateway</body></html>",
			want: verdict{kind: KindTransient, status: 502}},
		{name: "default 401", status: 401, body: `{"status":401,"serviceErrorCode":65602,"code":"EXPIRED_ACCESS_TOKEN","message":"The token used in the request has expired"}`,
			want: verdict{kind: KindAuth, status: 401, message: "The token used in the request has expired"}},
		{name: "default 403", status: 403, body: `{"error":{"code":403,"message":"quota","errors":[{"reason":"quotaExceeded"}]}}`,
			want: verdict{kind: KindAuth, status: 403, message: "quota"}},
		{name: "default 404 plain text", status: 404, body: "no such   page\n",
			want: verdict{kind: KindPermanent, status: 404, message: "no such page"}},
		{name: "long message is cut at 1000 bytes", status: 400, body: `{"message":"` + strings.Repeat("é", 600) + `"}`,
			want: verdict{kind: KindPermanent, status: 400, message: strings.Repeat("é", 500) + "…"}},
		{name: "default 501", status: 501, body: `{}`, want: verdict{kind: KindPermanent, status: 501}},
		{name: "truncated 200 is decode", status: 200, body: `{"data":[{"id":"1"`,
			want: verdict{kind: KindDecode, status: 200, message: "response body is not valid JSON"}},
		{name: "empty 204 is ok", status: 204, body: ``, want: verdict{status: 204}},
		{name: "csv 200 is not checked", status: 200, headers: []string{"Content-Type", "text/csv"}, body: "a,b\n1,2\n",
			want: verdict{status: 200}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := classifier{rules: tc.rules, rl: tc.rl}
			h := http.Header{"Content-Type": {"application/json"}}
			for i := 0; i+1 < len(tc.headers); i += 2 {
				h.Set(tc.headers[i], tc.headers[i+1])
			}
			if got := c.classify(tc.status, h, []byte(tc.body), pipeStart); got != tc.want {
				t.Fatalf("classify = %+v\nwant       %+v", got, tc.want)
			}
		})
	}
}

func TestErrorText(t *testing.T) {
	cases := []struct {
		name string
		err  *Error
		want string
	}{
		{"auth with hint", &Error{Kind: KindAuth, Status: 401, Method: "GET", URL: "https://api.x.com/2/users/42/tweets", Message: "Unauthorized", Hint: `check credential "token" (bearer auth)`, Attempts: 1},
			`GET https://api.x.com/2/users/42/tweets: 401 Unauthorized: "Unauthorized": check credential "token" (bearer auth)`},
		{"network after retries", &Error{Kind: KindNetwork, Method: "GET", URL: "https://a.example/x", Err: io.ErrUnexpectedEOF, Attempts: 6},
			`GET https://a.example/x: network: unexpected EOF (after 6 attempts)`},
		{"message with quotes", &Error{Kind: KindPermanent, Status: 400, Method: "POST", URL: "https://a.example/q", Message: `field "x" unknown`, Attempts: 1},
			`POST https://a.example/q: 400 Bad Request: "field \"x\" unknown"`},
		{"canceled", &Error{Kind: KindCanceled, Method: "GET", URL: "https://a.example/x", Err: context.Canceled},
			`GET https://a.example/x: canceled: context canceled`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.err.Error(); got != tc.want {
				t.Fatalf("Error() = %s\nwant       %s", got, tc.want)
			}
		})
	}
	wrapped := fmt.Errorf("stream posts: %w", &Error{Kind: KindCanceled, Err: context.Canceled})
	if KindOf(wrapped) != KindCanceled || !errors.Is(wrapped, context.Canceled) || KindOf(io.EOF) != "" {
		t.Fatalf("KindOf/errors.Is do not see through wrapping")
	}
}

func TestErrorKindRetryable(t *testing.T) {
	want := map[ErrorKind]bool{
		KindRateLimited: true, KindTransient: true, KindNetwork: true, KindDecode: true,
		KindAuth: false, KindQuota: false, KindPermanent: false, KindSkip: false, KindCanceled: false,
	}
	for k, w := range want {
		if k.Retryable() != w {
			t.Errorf("%s.Retryable() = %v, want %v", k, !w, w)
		}
	}
}
