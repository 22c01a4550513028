/** The API tokens page (/api-tokens, issue 24). */
export const apiTokensTexts = {
  apiTokens: {
    nav: 'API tokens',
  },
};
