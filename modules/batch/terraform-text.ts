/**
 * Terraform reads `${…}` and `%{…}` in any string as its own template
 * syntax; a literal one (a shell `${VAR}` in a job script) must reach AWS as
 * written. CDKTF's references are `${TfToken[…]}` until synth resolves them,
 * so those are left alone.
 */
export function escapeTerraformTemplate(text: string): string {
  return text.replace(/\$\{(?!TfToken\[)/g, () => '$${').replace(/%\{/g, () => '%%{');
}
