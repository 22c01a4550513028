/** API error messages of webhooks (English, the source). Keys name the situation; values are shown to people. */
export const webhooksErrors = {
  chooseEvent: 'Choose at least one event.',
  eventNamedTwice: 'Each event may be named once.',
  unknownEvent: (type: string) => `${type} is not an audit event type.`,
  onlyPrimaryAccount: 'Only the primary account registers and manages webhooks.',
  notFound: 'No such webhook in your account.',
  tooMany: (max: number) => `An account may have at most ${max} webhooks.`,
  noSuchDelivery: 'No such delivery of this webhook.',
  // The URL (addresses.ts)
  urlLength: (max: number) => `The webhook URL must be 1 to ${max} characters.`,
  urlNotHttp: 'The webhook URL must be an absolute http:// or https:// address.',
  urlCredentials: 'The webhook URL must not carry a user name or password.',
  urlNoHost: 'The webhook URL has no host.',
  hostUnresolved: (host: string) => `The host ${host} of the webhook URL does not resolve.`,
  hostNotPublic: (host: string, address: string) =>
    `The host ${host} of the webhook URL resolves to ${address}, which is not a public address (TWOFOLD_WEBHOOKS_ALLOW_PRIVATE=1 allows it).`,
};
