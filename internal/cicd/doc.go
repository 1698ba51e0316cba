// Package cicd holds the tests of the repository's CI/CD configuration:
// the GitHub Actions workflows (.github/workflows: ci.yml runs .ci/run on
// pushes and pull requests to main, release.yml builds and attaches the
// release) are linted with actionlint, a tool pinned in tools/go.mod and
// built by pinnedtool, and the GoReleaser configuration (.goreleaser.yaml)
// is checked for what the release depends on.
package cicd
