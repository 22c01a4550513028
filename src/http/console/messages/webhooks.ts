/** The webhooks page (/webhooks, issue 24). */
export const webhooksTexts = {
  webhooks: {
    nav: 'Webhooks',
  },
};
