package main

import (
	"strings"
	"testing"
)

func TestConfigMetricsToken(t *testing.T) {
	const token = "Zm9vYmFyYmF6cXV4cXV1eA=="
	cases := []struct {
		name string
		env  map[string]string
		args []string
		want string // the token, or part of the error
		bad  bool
	}{
		{name: "unset", want: ""},
		{name: "from the environment", env: map[string]string{"BULLETIN_METRICS_TOKEN": token}, want: token},
		{name: "from the flag", args: []string{"--metrics-token", token}, want: token},
		{name: "flag wins", env: map[string]string{"BULLETIN_METRICS_TOKEN": "the-environment-one"}, args: []string{"--metrics-token=" + token}, want: token},
		{name: "too short", env: map[string]string{"BULLETIN_METRICS_TOKEN": "secret"}, want: "BULLETIN_METRICS_TOKEN: use at least 16", bad: true},
		{name: "a space inside", args: []string{"--metrics-token", "sixteen chars or more"}, want: "--metrics-token: use at least 16", bad: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parseConfig(tc.env, tc.args...)
			if tc.bad {
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("err = %v, want it to contain %q", err, tc.want)
				}
				if _, ok := err.(usageError); !ok {
					t.Errorf("%T is not a usage error (exit 2)", err)
				}
				if strings.Contains(err.Error(), "sixteen chars") || strings.Contains(err.Error(), "secret") {
					t.Errorf("the error repeats the token: %v", err)
				}
				return
			}
			if err != nil || c.MetricsToken != tc.want {
				t.Errorf("MetricsToken = %q, %v; want %q", c.MetricsToken, err, tc.want)
			}
		})
	}
}
