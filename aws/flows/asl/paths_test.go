package asl

import (
	"context"
	"encoding/json"
	"testing"
)

// Input and output processing, with the examples of the States Language
// specification (https://states-language.net/spec.html) and the Step
// Functions developer guide.
func TestPathProcessing(t *testing.T) {
	tests := []struct {
		name, state, input, want string
		task                     string // the task's result (else it echoes its parameters)
	}{
		{
			name:  "InputPath ResultPath OutputPath (spec: Filters)",
			state: `{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:Add","InputPath":"$.numbers","ResultPath":"$.sum","OutputPath":"$","End":true}`,
			input: `{"title":"Numbers to add","numbers":{"val1":3,"val2":4}}`,
			task:  `7`,
			want:  `{"title":"Numbers to add","numbers":{"val1":3,"val2":4},"sum":7}`,
		},
		{
			name:  "Parameters with paths (spec: Parameters)",
			state: `{"Type":"Pass","Parameters":{"flagged":true,"parts":{"first.$":"$.vals[0]","last3.$":"$.vals[3:]"}},"End":true}`,
			input: `{"flagged":7,"vals":[0,10,20,30,40,50]}`,
			want:  `{"flagged":true,"parts":{"first":0,"last3":[30,40,50]}}`,
		},
		{
			name: "ResultSelector (spec: ResultSelector)",
			state: `{"Type":"Task","Resource":"arn:aws:states:::elasticmapreduce:createCluster.sync",
				"ResultSelector":{"ClusterId.$":"$.output.ClusterId","ResourceType.$":"$.resourceType"},"ResultPath":"$.EMROutput","End":true}`,
			input: `{"in":1}`,
			task:  `{"resourceType":"elasticmapreduce","resource":"createCluster.sync","output":{"SdkHttpMetadata":{"httpStatusCode":200},"SdkResponseMetadata":{"requestId":"1234"},"ClusterId":"AKIAIOSFODNN7EXAMPLE"}}`,
			want:  `{"in":1,"EMROutput":{"ClusterId":"AKIAIOSFODNN7EXAMPLE","ResourceType":"elasticmapreduce"}}`,
		},
		{
			name:  "Pass Result at ResultPath (spec: Pass state)",
			state: `{"Type":"Pass","Result":{"x-datum":0.381018,"y-datum":622.2269926397355},"ResultPath":"$.coords","End":true}`,
			input: `{"georefOf":"Home"}`,
			want:  `{"georefOf":"Home","coords":{"x-datum":0.381018,"y-datum":622.2269926397355}}`,
		},
		{
			name:  "ResultPath creates nested fields (spec: ResultPath)",
			state: `{"Type":"Pass","Result":6,"ResultPath":"$.master.result.sum","End":true}`,
			input: `{"master":{"detail":[1,2,3]}}`,
			want:  `{"master":{"detail":[1,2,3],"result":{"sum":6}}}`,
		},
		{
			name:  "ResultPath replaces a field",
			state: `{"Type":"Pass","Result":"new","ResultPath":"$.master.detail","End":true}`,
			input: `{"master":{"detail":[1,2,3]}}`,
			want:  `{"master":{"detail":"new"}}`,
		},
		{
			name:  "ResultPath null keeps the input",
			state: `{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f","ResultPath":null,"End":true}`,
			input: `{"keep":"me"}`,
			task:  `{"dropped":true}`,
			want:  `{"keep":"me"}`,
		},
		{
			name:  "ResultPath $ replaces the input",
			state: `{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f","ResultPath":"$","End":true}`,
			input: `{"old":1}`,
			task:  `{"new":2}`,
			want:  `{"new":2}`,
		},
		{
			name:  "InputPath null gives {} and OutputPath null gives {}",
			state: `{"Type":"Pass","InputPath":null,"OutputPath":null,"End":true}`,
			input: `{"a":1}`,
			want:  `{}`,
		},
		{
			name:  "OutputPath selects",
			state: `{"Type":"Pass","OutputPath":"$.a.b","End":true}`,
			input: `{"a":{"b":[1,2]}}`,
			want:  `[1,2]`,
		},
		{
			name:  "bracket, index, wildcard and deep paths",
			state: `{"Type":"Pass","Parameters":{"q.$":"$['odd key'][1]","all.$":"$.items[*].id","deep.$":"$..id","neg.$":"$.items[-1].id","u.$":"$.items[0,1].id"},"End":true}`,
			input: `{"odd key":[5,6],"items":[{"id":1},{"id":2}]}`,
			want:  `{"q":6,"all":[1,2],"deep":[1,2],"neg":2,"u":[1,2]}`,
		},
		{
			name:  "context object",
			state: `{"Type":"Pass","Parameters":{"id.$":"$$.Execution.Id","name.$":"$$.Execution.Name","state.$":"$$.State.Name","at.$":"$$.State.EnteredTime","in.$":"$$.Execution.Input.x","sm.$":"$$.StateMachine.Name"},"End":true}`,
			input: `{"x":42}`,
			want:  `{"id":"arn:aws:states:local:0:execution:m:e1","name":"e1","state":"S","at":"2016-03-14T01:58:00.000Z","in":42,"sm":"m"}`,
		},
		{
			name:  "Parameters inside arrays",
			state: `{"Type":"Pass","Parameters":{"list":[{"v.$":"$.a"},"lit"]},"End":true}`,
			input: `{"a":"x"}`,
			want:  `{"list":[{"v":"x"},"lit"]}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inv := InvokerFunc(echo)
			if tc.task != "" {
				inv = func(context.Context, string, json.RawMessage) (json.RawMessage, error) {
					return json.RawMessage(tc.task), nil
				}
			}
			res, _ := run(t, single(tc.state), tc.input, inv)
			if res.Status != StatusSucceeded {
				t.Fatalf("status %s: %s: %s", res.Status, res.Error, res.Cause)
			}
			jsonEq(t, res.Output, tc.want)
		})
	}
}

func TestPathFailures(t *testing.T) {
	tests := []struct{ name, state, input, wantErr string }{
		{"InputPath not found", `{"Type":"Pass","InputPath":"$.missing","End":true}`, `{}`, ErrRuntime},
		{"Parameters path not found", `{"Type":"Pass","Parameters":{"a.$":"$.missing"},"End":true}`, `{}`, ErrParameterPathFailure},
		{"ResultPath into a number", `{"Type":"Pass","Result":1,"ResultPath":"$.a.b","End":true}`, `{"a":5}`, ErrResultPathMatchFailure},
		{"OutputPath not found", `{"Type":"Pass","OutputPath":"$.nope","End":true}`, `{}`, ErrRuntime},
		{"intrinsic failure", `{"Type":"Pass","Parameters":{"a.$":"States.StringToJson($.s)"},"End":true}`, `{"s":"{bad"}`, ErrIntrinsicFailure},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, _ := run(t, single(tc.state), tc.input, nil)
			if res.Status != StatusFailed || res.Error != tc.wantErr {
				t.Fatalf("got %s %s (%s), want FAILED %s", res.Status, res.Error, res.Cause, tc.wantErr)
			}
			if res.Output != nil {
				t.Fatalf("output %s on failure", res.Output)
			}
		})
	}
}

// Intrinsic functions, with the developer guide's examples.
func TestIntrinsics(t *testing.T) {
	input := `{"name":"Arnav","someString":"{\"number\": 20}","someJson":{"name":"Foo","year":2020},
		"inputArray":[1,2,3,4,5,6,7,8,9],"lookingFor":5,"index":5,"dup":[1,2,3,3,3,3,3,3,4],
		"input":"Data to encode","base64":"RGF0YSB0byBlbmNvZGU=","Data":"input data","Algorithm":"SHA-1",
		"json1":{"a":{"a1":1,"a2":2},"b":2},"json2":{"a":{"a3":1,"a4":2},"c":3},"value1":111,"step":-1,
		"inputString":"This.is+a,test=string","splitter":".+,=","csv":"1,2,3,4,5"}`
	tests := []struct{ expr, want string }{
		{`States.Format('Hello, my name is {}.', $.name)`, `"Hello, my name is Arnav."`},
		{`States.Format('{} \{literal\} {}', 1, true)`, `"1 {literal} true"`},
		{`States.StringToJson($.someString)`, `{"number":20}`},
		{`States.JsonToString($.someJson)`, `"{\"name\":\"Foo\",\"year\":2020}"`},
		{`States.Array('Foo', 2020, $.someJson, null)`, `["Foo",2020,{"name":"Foo","year":2020},null]`},
		{`States.ArrayPartition($.inputArray,4)`, `[[1,2,3,4],[5,6,7,8],[9]]`},
		{`States.ArrayContains($.inputArray, $.lookingFor)`, `true`},
		{`States.ArrayRange(1, 9, 2)`, `[1,3,5,7,9]`},
		{`States.ArrayGetItem($.inputArray, $.index)`, `6`},
		{`States.ArrayLength($.inputArray)`, `9`},
		{`States.ArrayUnique($.dup)`, `[1,2,3,4]`},
		{`States.Base64Encode($.input)`, `"RGF0YSB0byBlbmNvZGU="`},
		{`States.Base64Decode($.base64)`, `"Data to encode"`},
		{`States.Hash($.Data, $.Algorithm)`, `"aaff4a450a104cd177d28d18d74485e8cae074b7"`},
		{`States.JsonMerge($.json1, $.json2, false)`, `{"a":{"a3":1,"a4":2},"b":2,"c":3}`},
		{`States.MathAdd($.value1, $.step)`, `110`},
		{`States.StringSplit($.csv, ',')`, `["1","2","3","4","5"]`},
		{`States.StringSplit($.inputString, $.splitter)`, `["This","is","a","test","string"]`},
		{`States.ArrayLength(States.StringSplit($.csv, ','))`, `5`},
		{`States.MathRandom(1, 2)`, `1`},
	}
	for _, tc := range tests {
		t.Run(tc.expr, func(t *testing.T) {
			b, _ := json.Marshal(tc.expr)
			res, _ := run(t, single(`{"Type":"Pass","Parameters":{"v.$":`+string(b)+`},"End":true}`), input, nil)
			if res.Status != StatusSucceeded {
				t.Fatalf("%s: %s", res.Error, res.Cause)
			}
			jsonEq(t, res.Output, `{"v":`+tc.want+`}`)
		})
	}
	t.Run("UUID and seeded MathRandom", func(t *testing.T) {
		def := single(`{"Type":"Pass","Parameters":{"u.$":"States.UUID()","r.$":"States.MathRandom(0, 1000)"},"End":true}`)
		a, _ := run(t, def, `{}`, nil)
		b, _ := run(t, def, `{}`, nil)
		var v struct{ U string }
		if err := json.Unmarshal(a.Output, &v); err != nil || len(v.U) != 36 || v.U[14] != '4' {
			t.Fatalf("bad UUID in %s", a.Output)
		}
		if string(a.Output) != string(b.Output) {
			t.Fatalf("the same seed gave %s and %s", a.Output, b.Output)
		}
	})
	for _, bad := range []string{`States.Nope(1)`, `States.Format(`, `States.ArrayLength(1, 2)`, `States.Format('x', bareword)`} {
		b, _ := json.Marshal(bad)
		if _, err := Parse([]byte(single(`{"Type":"Pass","Parameters":{"v.$":` + string(b) + `},"End":true}`))); err == nil {
			t.Errorf("Parse accepted %s", bad)
		}
	}
}
