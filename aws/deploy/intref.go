package deploy

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/awslabs/goformation/v7/cloudformation"
)

// withIntRefs is a typed resource some of whose integer properties are
// stack parameters. goformation's typed integer fields cannot hold a Ref
// (goformation issue #304), so the resource is marshalled from its typed
// struct, whose integers are the parameters' defaults, and the property at
// each path is then replaced by a Ref of its parameter. A path that does not
// lead to an integer is an error, so a renamed property cannot slip by.
type withIntRefs struct {
	cloudformation.Resource
	refs map[string]string // property path ("EphemeralStorage.Size", "Rules.0.ExpirationInDays") → parameter
}

func (r withIntRefs) MarshalJSON() ([]byte, error) {
	raw, err := json.Marshal(r.Resource)
	if err != nil {
		return nil, err
	}
	var res map[string]any
	if err := json.Unmarshal(raw, &res); err != nil {
		return nil, err
	}
	for path, param := range r.refs {
		if err := setIntRef(res["Properties"], strings.Split(path, "."), cloudformation.Ref(param)); err != nil {
			return nil, fmt.Errorf("%s property %s: %w", r.AWSCloudFormationType(), path, err)
		}
	}
	return json.Marshal(res)
}

func setIntRef(node any, path []string, ref string) error {
	var next any
	var set func(any)
	switch n := node.(type) {
	case map[string]any:
		next = n[path[0]]
		set = func(v any) { n[path[0]] = v }
	case []any:
		i, err := strconv.Atoi(path[0])
		if err != nil || i < 0 || i >= len(n) {
			return fmt.Errorf("no element %s", path[0])
		}
		next = n[i]
		set = func(v any) { n[i] = v }
	default:
		return fmt.Errorf("no %s", path[0])
	}
	if len(path) > 1 {
		return setIntRef(next, path[1:], ref)
	}
	if _, ok := next.(float64); !ok {
		return fmt.Errorf("%s is %T, not an integer", path[0], next)
	}
	set(ref)
	return nil
}
