package httpapi

import (
	"reflect"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/spec"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func mustTemplate(t *testing.T, s string) spec.Template {
	t.Helper()
	tpl, err := spec.ParseTemplate(s)
	if err != nil {
		t.Fatalf("ParseTemplate(%q): %v", s, err)
	}
	return tpl
}

// testVars is a January 2024 window (15th to 17th inclusive) with every kind of variable.
func testVars() Vars {
	return Vars{
		AccountID: "17841406338772941",
		Window:    &Window{Start: day("2024-01-15"), End: day("2024-01-18")},
		Parent:    map[string]string{"id": "17895731045244887", "empty": ""},
		Params:    map[string]string{"property": "123456789"},
		Cursor:    "QVFIUmFake",
	}
}

func TestWindowLast(t *testing.T) {
	tests := []struct {
		name string
		w    Window
		want time.Time
	}{
		{"one day", Window{day("2024-01-15"), day("2024-01-16")}, day("2024-01-15")},
		{"month end", Window{day("2024-02-01"), day("2024-03-01")}, day("2024-02-29")},
		{"non-UTC end is read in UTC", Window{day("2024-01-01"), day("2024-01-03").In(time.FixedZone("PST", -8*3600))}, day("2024-01-02")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.w.Last(); !got.Equal(tc.want) || got.Location() != time.UTC {
				t.Errorf("Last() = %v, want %v in UTC", got, tc.want)
			}
		})
	}
}

func TestRender(t *testing.T) {
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	laVars := testVars()
	laVars.Window = &Window{Start: day("2024-01-15").In(la), End: day("2024-01-18").In(la)}
	clamped := testVars()
	clamped.Now = time.Date(2024, 1, 17, 10, 30, 15, 0, time.UTC)
	notClamped := testVars()
	notClamped.Now = time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)

	tests := []struct {
		name, tpl, defaultFormat string
		vars                     Vars
		want                     string
	}{
		{"unix", "{{window.start|unix}}", "", testVars(), "1705276800"},
		{"unix_ms", "{{window.start|unix_ms}}", "", testVars(), "1705276800000"},
		{"rfc3339", "{{window.start|rfc3339}}", "", testVars(), "2024-01-15T00:00:00Z"},
		{"date", "{{window.start|date}}", "", testVars(), "2024-01-15"},
		{"yyyymmdd", "{{window.start|yyyymmdd}}", "", testVars(), "20240115"},
		{"go layout", "{{window.start|2006-01-02 15:04}}", "", testVars(), "2024-01-15 00:00"},
		{"no format at all is rfc3339", "{{window.start}}", "", testVars(), "2024-01-15T00:00:00Z"},
		{"default format applies", "{{window.end}}", "date", testVars(), "2024-01-18"},
		{"own format beats default", "{{ window.end | unix }}", "date", testVars(), "1705536000"},
		{"last is the inclusive day", "{{window.last|date}}", "", testVars(), "2024-01-17"},
		{"times in another zone render in UTC", "{{window.start|rfc3339}}/{{window.last|date}}", "", laVars, "2024-01-15T00:00:00Z/2024-01-17"},
		{"end clamped to now", "{{window.end}}", "", clamped, "2024-01-17T10:30:15Z"},
		{"end clamped to now in ms", "{{window.end|unix_ms}}", "", clamped, "1705487415000"},
		{"start and last are not clamped", "{{window.start|date}}..{{window.last|date}}", "", clamped, "2024-01-15..2024-01-17"},
		{"end before now is kept", "{{window.end}}", "", notClamped, "2024-01-18T00:00:00Z"},
		{"account, parent, vars, cursor", "/{{account_id}}/{{parent.id}}?p={{vars.property}}&c={{cursor}}", "", testVars(),
			"/17841406338772941/17895731045244887?p=123456789&c=QVFIUmFake"},
		{"empty parent field is empty text", "[{{parent.empty}}]", "", testVars(), "[]"},
		{"empty cursor is empty text", "after={{cursor}}", "", Vars{}, "after="},
		{"single braces are literal (Graph field expansion)", "id,caption,children{id,media_type}", "", testVars(),
			"id,caption,children{id,media_type}"},
		{"single braces next to a placeholder", "{{account_id}}{id}", "", testVars(), "17841406338772941{id}"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Render(mustTemplate(t, tc.tpl), tc.vars, tc.defaultFormat)
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			if got != tc.want {
				t.Errorf("Render(%q) = %q, want %q", tc.tpl, got, tc.want)
			}
		})
	}
}

func TestRenderErrors(t *testing.T) {
	noWindow := testVars()
	noWindow.Window = nil
	noParent := testVars()
	noParent.Parent = nil
	tests := []struct {
		name, tpl string
		vars      Vars
		want      string
	}{
		{"parent without a parent record", "{{parent.id}}", noParent, "missing variable {{parent.id}}: no parent record"},
		{"parent field absent", "{{parent.media_id}}", testVars(), `missing variable {{parent.media_id}}: the parent record has no field "media_id"`},
		{"var not set", "x={{vars.x}}", testVars(), `missing variable {{vars.x}}: the account sets no var "x"`},
		{"window without a window", "{{window.start|date}}", noWindow, "missing variable {{window.start}}: the stream has no date window"},
		{"empty account id", "{{account_id}}", Vars{}, "missing variable {{account_id}}: no account id"},
		{"format on a text variable", "{{account_id|date}}", testVars(), "{{account_id|date}}: formats apply only to window variables"},
		{"unknown format", "{{window.start|unixms}}", testVars(),
			`{{window.start}}: unknown time format "unixms" (use unix, unix_ms, rfc3339, date, yyyymmdd or a Go layout such as 2006-01-02)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Render(mustTemplate(t, tc.tpl), tc.vars, "")
			if err == nil {
				t.Fatalf("Render(%q) = %q, want error %q", tc.tpl, got, tc.want)
			}
			if err.Error() != tc.want {
				t.Errorf("error = %q, want %q", err, tc.want)
			}
		})
	}
}

func TestRenderValue(t *testing.T) {
	tests := []struct {
		name, tpl, defaultFormat string
		want                     any
	}{
		{"unix is a number", "{{window.start|unix}}", "", int64(1705276800)},
		{"unix_ms is a number", "{{window.end|unix_ms}}", "", int64(1705536000000)},
		{"default unix is a number", "{{window.last}}", "unix", int64(1705449600)},
		{"rfc3339 is a string", "{{window.start|rfc3339}}", "", "2024-01-15T00:00:00Z"},
		{"date is a string", "{{window.start|date}}", "", "2024-01-15"},
		{"yyyymmdd is a string", "{{window.start|yyyymmdd}}", "", "20240115"},
		{"layout is a string", "{{window.start|Jan 2 2006}}", "", "Jan 15 2024"},
		{"text variable is a string", "{{vars.property}}", "", "123456789"},
		{"unix inside text is text", "t={{window.start|unix}}", "", "t=1705276800"},
		{"literal only", "USD", "", "USD"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := RenderValue(mustTemplate(t, tc.tpl), testVars(), tc.defaultFormat)
			if err != nil {
				t.Fatalf("RenderValue: %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("RenderValue(%q) = %#v, want %#v", tc.tpl, got, tc.want)
			}
		})
	}
}
