package record

import "github.com/tidwall/gjson"

// Extract fills one row from raw, one record's JSON object, which must be valid JSON
// (it was selected from a parsed response). The row is aligned with Schema(). dst's
// backing arrays, including those of nested objects and lists, are reused when large
// enough, so a caller that keeps rows must pass nil (or a fresh row) each time.
//
// A key that is missing yields an Absent value; a JSON null yields Null. Errors are
// *FieldError values naming the offending column.
func (e *Extractor) Extract(raw string, dst Row) (Row, error) {
	row, err := e.extractScan(raw, dst)
	if err == errNotStrict {
		return e.extractGeneral(raw, row)
	}
	return row, err
}

// resetKinds marks every value Absent while keeping its L for reuse.
func resetKinds(vals []Value) {
	for i := range vals {
		vals[i].Kind = Absent
	}
}

// finish reads the complex paths, clears fields left Absent and checks required ones.
func (p *objectPlan) finish(obj gjson.Result, dst []Value) error {
	for _, i := range p.complex {
		v, err := p.fields[i].convert(obj.Get(p.fields[i].path), dst[i].L)
		if err != nil {
			return err
		}
		dst[i] = v
	}
	for i := range dst {
		if dst[i].Kind == Absent {
			dst[i] = Value{}
		}
		if p.fields[i].field.Required && dst[i].IsNull() {
			reason := "required field is missing"
			if dst[i].Kind == Null {
				reason = "required field is null"
			}
			return &FieldError{Field: p.fields[i].name, Reason: reason}
		}
	}
	return nil
}

// appendExtra appends one undeclared key and its value to the ExtraField object being
// built in extra (opened on the first key, closed by setExtra).
func appendExtra(extra []byte, keyRaw, valueRaw string) []byte {
	if len(extra) == 0 {
		extra = append(extra, '{')
	} else {
		extra = append(extra, ',')
	}
	extra = appendCompact(extra, keyRaw)
	extra = append(extra, ':')
	return appendCompact(extra, valueRaw)
}

// undeclared is the error for an undeclared key when additional fields fail.
func undeclared(key, valueRaw string) error {
	return &FieldError{Field: key, Value: truncate(valueRaw), Reason: "field is not declared (declare it, or set additional_fields: keep or drop)"}
}

// setExtra sets the ExtraField column of dst from the undeclared keys gathered in extra
// (Absent when there are none), keeping the buffer for the next record.
func (e *Extractor) setExtra(dst Row, extra []byte) {
	if e.additional != AdditionalKeep {
		return
	}
	n := len(dst)
	e.extra = extra
	dst[n-1] = Value{}
	if len(extra) > 0 {
		extra = append(extra, '}')
		e.extra = extra
		dst[n-1] = Value{Kind: JSON, S: string(extra)}
	}
}
