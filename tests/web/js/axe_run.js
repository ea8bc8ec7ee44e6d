(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}}).then((r) =>
  r.violations.map((v) =>
    `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`))
