//! Who the token acts for, and the regions and municipalities (public facts, to any signed-in
//! program).

use axum::Json;
use axum::extract::State;
use grizha_domain::geography::RegionCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiUser, ErrorBody, PageQuery, Paged, Params};
use crate::{AppState, WebError};

/// The account a token acts for.
#[derive(Serialize, ToSchema)]
pub struct Me {
    pub login: String,
    pub display_name: String,
    /// `administrator`, `regional_monitoring`, `municipal_editor`, `provider` or `viewer`.
    pub role: String,
    /// The municipality or region the account works for (none for a system administrator).
    pub area: Option<String>,
}

/// The account the token acts for.
#[utoipa::path(get, path = "/me", tag = "areas",
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
pub async fn me(ApiUser(user): ApiUser) -> Json<Me> {
    Json(Me {
        login: user.login.to_string(),
        display_name: user.display_name,
        role: user.role.as_str().to_owned(),
        area: user.area.map(|a| a.as_str().to_owned()),
    })
}

#[derive(Serialize, ToSchema)]
pub struct RegionView {
    /// The region's code (`DEM`, `SOF`, …).
    pub code: String,
    pub name: String,
}

/// The regions (области).
#[utoipa::path(get, path = "/regions", tag = "areas", params(PageQuery),
    responses((status = 200, body = Paged<RegionView>), (status = 401, body = ErrorBody)))]
pub async fn regions(
    State(state): State<AppState>,
    _: ApiUser,
    Params(page): Params<PageQuery>,
) -> Result<Json<Paged<RegionView>>, WebError> {
    let regions = state.store.regions().await?;
    let views = regions.into_iter().map(|r| RegionView { code: r.code.as_str().to_owned(), name: r.name }).collect();
    Ok(Json(page.of(views)?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MunicipalityFilter {
    /// Only the municipalities of this region.
    pub region: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct MunicipalityView {
    /// The municipality's code (`DEM01`, `SOF46`, …).
    pub code: String,
    pub name: String,
    pub region: String,
}

/// The municipalities (общини), of one region or all.
#[utoipa::path(get, path = "/municipalities", tag = "areas", params(MunicipalityFilter, PageQuery),
    responses((status = 200, body = Paged<MunicipalityView>), (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn municipalities(
    State(state): State<AppState>,
    _: ApiUser,
    Params(filter): Params<MunicipalityFilter>,
    Params(page): Params<PageQuery>,
) -> Result<Json<Paged<MunicipalityView>>, WebError> {
    let region = filter
        .region
        .as_deref()
        .map(RegionCode::parse)
        .transpose()
        .map_err(|e| WebError::Invalid(format!("region: {e}")))?;
    let municipalities = state.store.municipalities(region.as_ref()).await?;
    let views = municipalities
        .into_iter()
        .map(|m| MunicipalityView {
            code: m.code.as_str().to_owned(),
            name: m.name,
            region: m.region.as_str().to_owned(),
        })
        .collect();
    Ok(Json(page.of(views)?))
}
