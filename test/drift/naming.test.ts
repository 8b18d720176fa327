import { describe, expect, it } from '@jest/globals'
import { MigrationError } from '../../src/errors.js'
import { matchStage, nameTokens, parseConvention, renderName } from '../../src/drift/naming.js'

const article = parseConvention('${stage}-${name}')
const withService = parseConvention('${stage}-${service}-${name}')

describe('parseConvention', () => {
  it('reads placeholders, literals and the separator', () => {
    expect(article.parts).toEqual([{ placeholder: 'stage' }, { literal: '-' }, { placeholder: 'name' }])
    expect(article.separator).toBe('-')
    expect(article.usesService).toBe(false)
    expect(withService.usesService).toBe(true)
    expect(parseConvention('${name}_${stage}').separator).toBe('_')
  })

  it('accepts the Serverless spellings of the placeholders', () => {
    expect(parseConvention('${sls:stage}-${self:service}-${name}').parts).toEqual(withService.parts)
  })

  it.each([
    ['${stage}', 'needs exactly one ${name}'],
    ['${name}', 'needs exactly one ${stage}'],
    ['${stage}-${region}-${name}', 'unknown placeholder ${region}'],
    ['${stage}${name}', 'must be separated'],
    ['${stage}/${name}', 'literals may only hold']
  ])('rejects %s', (text, problem) => {
    let error: unknown
    try {
      parseConvention(text)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(MigrationError)
    expect((error as MigrationError).code).toBe('INVALID_INPUT')
    expect((error as MigrationError).message).toContain(problem)
  })

  it('renders a name', () => {
    expect(renderName(withService, { stage: 'qa', service: 'orders', name: 'invoices' })).toBe('qa-orders-invoices')
  })
})

describe('nameTokens', () => {
  it.each([
    ['order-tracking-qa', ['order', 'tracking', 'qa']],
    ['Order_Tracking_QA', ['order', 'tracking', 'qa']],
    ['orderTrackingQa', ['order', 'tracking', 'qa']],
    ['OrderTrackingQA', ['order', 'tracking', 'qa']],
    ['QAOrderTracking', ['qa', 'order', 'tracking']],
    ['order.tracking.v2', ['order', 'tracking', 'v2']]
  ])('%s', (name, tokens) => {
    expect(nameTokens(name)).toEqual(tokens)
  })
})

describe('matchStage, the article convention ${stage}-${name}', () => {
  it('a name that follows it conforms', () => {
    expect(matchStage(article, 'qa-order-tracking', 'qa')).toEqual({ kind: 'conforms', stage: 'qa', logicalName: 'order-tracking', key: 'order tracking', expected: 'qa-order-tracking' })
    expect(matchStage(article, 'prod-order-tracking', 'prod')?.kind).toBe('conforms')
  })

  it.each(['order-tracking-qa', 'qa_order_tracking', 'order_tracking_qa', 'QA-Order-Tracking', 'orderTrackingQa', 'OrderTrackingQA', 'order.tracking.qa'])(
    '%s is the same logical name under another pattern',
    (table) => {
      expect(matchStage(article, table, 'qa')).toMatchObject({ kind: 'drifted', logicalName: 'order-tracking', key: 'order tracking', expected: 'qa-order-tracking' })
    }
  )

  it("another stage's names do not match", () => {
    expect(matchStage(article, 'uat-order-tracking', 'qa')).toBeUndefined()
    expect(matchStage(article, 'order-tracking-uat', 'qa')).toBeUndefined()
    expect(matchStage(article, 'legacy-sessions', 'qa')).toBeUndefined()
  })

  it('the stage must be a whole word at either end', () => {
    expect(matchStage(article, 'order-qa-tracking', 'qa')).toBeUndefined()
    expect(matchStage(article, 'quality-orders', 'qa')).toBeUndefined()
    expect(matchStage(article, 'qa', 'qa')).toBeUndefined()
  })

  it('a multi-word stage', () => {
    expect(matchStage(article, 'orders_dev_eu', 'dev-eu')).toMatchObject({ kind: 'drifted', expected: 'dev-eu-orders' })
  })
})

describe('matchStage, ${stage}-${service}-${name}', () => {
  it('conforms with the service in place', () => {
    expect(matchStage(withService, 'qa-orders-invoices', 'qa', 'orders')).toMatchObject({ kind: 'conforms', logicalName: 'invoices' })
  })

  it.each(['orders-qa-invoices', 'invoices-qa', 'qa-invoices', 'orders_invoices_qa', 'QaOrdersInvoices'])('%s drifted to qa-orders-invoices', (table) => {
    expect(matchStage(withService, table, 'qa', 'orders')).toMatchObject({ kind: 'drifted', logicalName: 'invoices', expected: 'qa-orders-invoices' })
  })

  it('a suffix convention: the prefix form is the drift', () => {
    const suffix = parseConvention('${name}-${stage}')
    expect(matchStage(suffix, 'qa-order-tracking', 'qa')).toMatchObject({ kind: 'drifted', expected: 'order-tracking-qa' })
    expect(matchStage(suffix, 'order-tracking-qa', 'qa')?.kind).toBe('conforms')
  })
})
