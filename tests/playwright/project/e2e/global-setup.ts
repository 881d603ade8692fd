// Used only by the "global-setup-error" scenario: the users' global setup checks the
// Supabase environment before any test runs.
export default async function globalSetup(): Promise<void> {
  const missing = ['NEXT_PUBLIC_SUPABASE_URL', 'NEXT_PUBLIC_SUPABASE_ANON_KEY'].filter((name) => !process.env[name]);
  if (missing.length > 0) {
    throw new Error(`Missing Supabase environment variables: ${missing.join(', ')}`);
  }
}
